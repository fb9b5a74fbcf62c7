using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Alarms;

/// <summary>system.store: one major alarm per store of the data directory that cannot be written.</summary>
public sealed class StoreAlarms(StoreHealth health) : IAlarmSource
{
    public IEnumerable<AlarmCondition> AlarmConditions() => health.Failures.Select(f =>
        new AlarmCondition(AlarmCatalog.StoreFailing, f.Store, $"store {f.Store} cannot be written since {f.Since:HH:mm:ss} UTC: {f.Error}"));
}
