namespace TrackerDcs.Web.Alarms;

public enum AlarmSeverity { Warning, Major }

/// <summary>What an alarm is and what the operator should do about it: one row of the catalogue.</summary>
public sealed record AlarmDefinition(string Code, AlarmSeverity Severity, string Guidance);
