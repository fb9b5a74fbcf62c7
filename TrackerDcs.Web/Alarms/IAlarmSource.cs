namespace TrackerDcs.Web.Alarms;

/// <summary>An area beside the built-in alarms whose conditions the evaluator raises too (the interlocks).</summary>
public interface IAlarmSource
{
    /// <summary>The conditions true now.</summary>
    IEnumerable<AlarmCondition> AlarmConditions();
}
