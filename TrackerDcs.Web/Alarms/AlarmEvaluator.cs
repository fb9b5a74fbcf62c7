using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Marta;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Web.Alarms;

/// <summary>
/// Turns the live state of the stand into the set of alarm conditions true now. Suppression by state
/// lives here: an over-current while the channel ramps is the charging current of the module, not a fault.
/// </summary>
public sealed class AlarmEvaluator(
    AlarmOptions options,
    IDeviceView<CaenView> caen,
    IDeviceView<JulaboView> julabo,
    IDeviceView<SensorsView> sensors,
    DataDirectory data,
    IEnumerable<IAlarmSource> sources,
    TimeSeriesOptions timeSeries,
    TimeProvider time,
    Spool? spool = null,
    IDeviceView<MartaView>? marta = null)
{
    private readonly Dictionary<string, DateTimeOffset> _disconnectedSince = [];

    public List<AlarmCondition> Evaluate()
    {
        var now = time.GetUtcNow();
        var conditions = new List<AlarmCondition>();
        EvaluateCrate(conditions, now);
        EvaluateChiller(conditions, now);
        EvaluateMarta(conditions, now);
        EvaluateEnvironment(conditions, now);
        EvaluateDisk(conditions);
        EvaluateSpool(conditions);
        foreach (var source in sources) conditions.AddRange(source.AlarmConditions());
        return conditions;
    }

    private void EvaluateCrate(List<AlarmCondition> conditions, DateTimeOffset now)
    {
        var crate = caen.View;
        Disconnected(conditions, "caen", crate.State == CaenView.Disconnected, now, "CAEN crate");
        if (!crate.Reachable) return;
        if (crate.State == CaenView.Error) conditions.Add(new(AlarmCatalog.CrateError, "crate", "CAEN crate is in ERROR"));
        foreach (var missing in crate.Missing) conditions.Add(new(AlarmCatalog.PvMissing, missing.Split(' ')[0], missing));
        foreach (var channel in crate.Channels)
        {
            var name = string.IsNullOrEmpty(channel.Module) ? $"channel {channel.Id}" : $"channel {channel.Id} ({channel.Module})";
            foreach (var (side, label, supply) in new[] { ("lv", "LV", channel.Lv), ("hv", "HV", channel.Hv) })
            {
                if (supply.Status is null) continue;
                var subject = $"{channel.Id}/{side}";
                if (supply.Tripped)
                    conditions.Add(new(AlarmCatalog.ChannelTrip, subject, $"{label} of {name} tripped ({supply.Words})"));
                // An over-current while the channel ramps is the module charging, not a fault; so is the under-voltage.
                if (supply.OverCurrent && !supply.Ramping)
                    conditions.Add(new(AlarmCatalog.OverCurrent, subject, $"{label} of {name} is over current"));
                if (supply.OverVoltage)
                    conditions.Add(new(AlarmCatalog.OverVoltage, subject, $"{label} of {name} is over voltage"));
                if (supply.UnderVoltage && !supply.Ramping)
                    conditions.Add(new(AlarmCatalog.UnderVoltage, subject, $"{label} of {name} is under voltage"));
                if (supply.Unplugged)
                    conditions.Add(new(AlarmCatalog.Unplugged, $"{side}_board {supply.Board}", $"{label} board {supply.Board} is unplugged"));
            }
        }
    }

    private void EvaluateChiller(List<AlarmCondition> conditions, DateTimeOffset now)
    {
        var chiller = julabo.View;
        // Counted from the unit's last readable reply, not from the last port open: a unit switched off behind a present
        // USB adapter opens fine at every reconnect (CONNECTED) and answers nothing.
        Disconnected(conditions, "julabo", chiller.IsSilent, now, "Julabo chiller", chiller.LastHeard);
        // What the unit holds does not change while the cable is out: kept until the next check says otherwise.
        if (chiller.LimitsProblem is { } limits) conditions.Add(new(AlarmCatalog.ChillerLimits, "julabo", limits));
        if (chiller.SensorProblem is { } sensor) conditions.Add(new(AlarmCatalog.ChillerSensor, "julabo", sensor));
        if (chiller.IsDisconnected || chiller.StatusCode is not { } code) return;
        if (chiller.IsAlarm) conditions.Add(new(AlarmCatalog.ChillerFault, "julabo", $"chiller reports {code:00}: {chiller.StatusText}{WarningDetail(chiller)}"));
        else if (chiller.IsManual) conditions.Add(new(AlarmCatalog.ChillerManual, "julabo", $"chiller is in manual mode ({code:00} {chiller.StatusText})"));
    }

    /// <summary>Only on stands with MARTA (Marta:Enabled). Alarm bits are those of a live read: bits last read before the link went down are not current.</summary>
    private void EvaluateMarta(List<AlarmCondition> conditions, DateTimeOffset now)
    {
        if (marta is null) return;
        var plant = marta.View;
        Disconnected(conditions, "marta", plant.State == MartaView.Disconnected, now, "MARTA CO2 plant");
        if (!plant.Live) return;
        foreach (var alarm in plant.Alarms)
            conditions.Add(new(alarm.Major ? AlarmCatalog.MartaFailSafe : AlarmCatalog.MartaWarning, alarm.Register, alarm.Line));
        if (plant.State == MartaView.Alarm && plant.Problem is { } problem)
            conditions.Add(new(AlarmCatalog.MartaInconsistent, "marta", $"MARTA in ALARM: {problem}"));
    }

    /// <summary>For the warnings of the unit's own limits: the bath and the limit it crossed.</summary>
    private static string WarningDetail(JulaboView chiller) => chiller switch
    {
        { AboveHighLimit: true, LimitHigh: { } high } => $" (bath {chiller.InternalTemp:0.0} °C, high limit {high:0.0} °C)",
        { BelowLowLimit: true, LimitLow: { } low } => $" (bath {chiller.InternalTemp:0.0} °C, low limit {low:0.0} °C)",
        _ => "",
    };

    private void EvaluateEnvironment(List<AlarmCondition> conditions, DateTimeOffset now)
    {
        var environment = sensors.View;
        foreach (var box in environment.Boxes)
            if (now - box.LastSeen > options.SensorSilentAfter)
                conditions.Add(new(AlarmCatalog.SensorSilent, box.Name, $"sensor box {box.Name} silent since {box.LastSeen:HH:mm:ss} UTC"));
        if (environment.DewPointMargin is { } margin && margin < options.DewPointMarginMin)
            conditions.Add(new(AlarmCatalog.DewPointMargin, "stand",
                $"dew-point margin {margin:0.0} °C is below {options.DewPointMarginMin:0.0} °C (coldest {environment.ColdestTemperature:0.0} °C, dew point {environment.HighestDewPoint:0.0} °C)"));
    }

    private void EvaluateDisk(List<AlarmCondition> conditions)
    {
        var space = data.FreeSpace();
        if (space.FreePercent < options.DiskFreePercentMin)
            conditions.Add(new(AlarmCatalog.DiskFilling, "data", $"data disk {space.Mount} has {space.FreePercent:0.0} % free"));
    }

    /// <summary>Only with InfluxDB configured: the embedded store has no spool.</summary>
    private void EvaluateSpool(List<AlarmCondition> conditions)
    {
        if (spool is null) return;
        var full = 100.0 * spool.PendingBytes / timeSeries.SpoolMaxBytes;
        if (full > options.SpoolFullPercentMax)
            conditions.Add(new(AlarmCatalog.SpoolFilling, "influxdb", $"time-series spool {full:0} % full ({spool.PendingBytes} of {timeSeries.SpoolMaxBytes} bytes)"));
    }

    /// <param name="lastHeard">When the device last answered, if it says; otherwise the count starts when it is first seen disconnected.</param>
    private void Disconnected(List<AlarmCondition> conditions, string device, bool disconnected, DateTimeOffset now, string name,
        DateTimeOffset? lastHeard = null)
    {
        if (!disconnected)
        {
            _disconnectedSince.Remove(device);
            return;
        }
        if (!_disconnectedSince.TryGetValue(device, out var since)) _disconnectedSince[device] = since = now;
        if (lastHeard is { } heard) since = heard;
        if (now - since >= options.DisconnectedAfter)
            conditions.Add(new(AlarmCatalog.Disconnected, device, $"{name} DISCONNECTED since {since:HH:mm:ss} UTC"));
    }
}
