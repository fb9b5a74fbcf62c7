namespace TrackerDcs.Web.Alarms;

public enum AlarmSeverity { Warning, Major }

/// <summary>
/// What an alarm is and what the operator should do about it: one row of the catalogue. A latching alarm stays in
/// the active list after its condition cleared, until someone acknowledges it (ISA-18.2's latched alarm), so that a
/// fault that came and went, such as an interlock that switched HV off, still tells the next person why.
/// </summary>
public sealed record AlarmDefinition(string Code, AlarmSeverity Severity, string Guidance, bool Latching = false);
