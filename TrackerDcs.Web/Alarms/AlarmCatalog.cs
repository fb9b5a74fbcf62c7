namespace TrackerDcs.Web.Alarms;

/// <summary>
/// The built-in alarms, described once: code, severity, and the guidance an operator reads at 3 a.m. Guidance names
/// the panel's button as "‹page› page → ‹button›" (the page's name in the navigation, the button's label); an MQTT
/// command topic appears only as the script's alternative, "(a script sends ‹topic›)" (issue 20).
/// </summary>
public static class AlarmCatalog
{
    /// <summary>The code of every interlock's alarm (its subject is the rule's name).</summary>
    public const string InterlockCode = "interlock";

    /// <summary>An interlock rule's alarm guidance: the rule, its condition and what it sent (the rule is the stand's own, in interlocks.yml).</summary>
    public static string InterlockGuidance(string rule, string when, string sent) =>
        $"Interlock '{rule}' acted because {when}: it sent {sent}. Fix the cause; refused commands are allowed again once the condition has cleared. " +
        "Acknowledge the alarm once you know why it acted: Alarms page → Acknowledge (a script sends alarms/cmd/ack).";

    public static readonly AlarmDefinition ChannelTrip = new("caen.trip", AlarmSeverity.Major,
        "The channel tripped and its output is off or ramping down. Check the module's current history and cabling, then clear the alarm with Power page → Clear alarms (a script sends dcs/cmd/clear) before switching on again.");
    public static readonly AlarmDefinition OverCurrent = new("caen.overcurrent", AlarmSeverity.Major,
        "The channel draws more than its I0Set. Check the module for a short or breakdown; lower its HV set V on the Power page, or switch it off with Power page → HV off.");
    public static readonly AlarmDefinition OverVoltage = new("caen.overvoltage", AlarmSeverity.Major,
        "VMon is above the channel's over-voltage threshold. Switch the channel off (Power page → HV off, then Power page → LV off) and check the board.");
    public static readonly AlarmDefinition UnderVoltage = new("caen.undervoltage", AlarmSeverity.Warning,
        "VMon is below the channel's under-voltage threshold: the supply cannot hold its set point. Check the load and the cables.");
    public static readonly AlarmDefinition Unplugged = new("caen.unplugged", AlarmSeverity.Major,
        "The board does not answer in the crate. Check that it is seated; the crate must be power-cycled to bring it back.");
    public static readonly AlarmDefinition CrateError = new("caen.crate_error", AlarmSeverity.Major,
        "The crate is in ERROR: a channel is in error or LV is off under HV. See the Power page for the channel, fix the cause, then Power page → Clear alarms.");
    public static readonly AlarmDefinition PvMissing = new("caen.pv_missing", AlarmSeverity.Major,
        "The crate's IOC does not serve this PV, so the channel is UNAVAILABLE: it is not commanded, and the setting or reading the PV carries is lost (the message says which). Check the IOC's database and the channel map's board and channel; the PV is picked up and given its setting as soon as the IOC serves it.");
    public static readonly AlarmDefinition Disconnected = new("device.disconnected", AlarmSeverity.Major,
        "The device has not answered for longer than the set time. Check its power, network or serial cable; the driver reconnects by itself.");
    public static readonly AlarmDefinition ChillerFault = new("julabo.fault", AlarmSeverity.Major,
        "The chiller reports an alarm or error code. Read its display, fix the cause (liquid level, pump, temperature limits) and reset it on the unit.");
    public static readonly AlarmDefinition ChillerManual = new("julabo.manual", AlarmSeverity.Warning,
        "The chiller is in manual mode and cannot be controlled from the DCS. Switch it to remote on its front panel.");
    public static readonly AlarmDefinition ChillerLimits = new("julabo.limits", AlarmSeverity.Major,
        "The chiller does not hold the warning limits of Julabo:WarningLimitHigh/WarningLimitLow (written as OUT_SP_03/OUT_SP_04 at every connect): it refused them or shows other values, so it will not warn or act by itself at those temperatures if this process stops. Check that the unit is in remote mode and that its menu allows the limits to be set remotely, or set them on its keypad to the configured values; then Chiller page → Reconnect to check again (a script sends julabo/cmd/reconnect).");
    public static readonly AlarmDefinition MartaFailSafe = new("marta.failsafe", AlarmSeverity.Major,
        "A fail-safe (_FS) or safety-trip (_TS) bit of the CO2 plant is set: the PLC has stopped the chiller and the CO2 loop (status 3), so the modules are no longer cooled. Read the message, fix the cause at the plant, then CO2 plant page → Clear alarms (a script sends MARTA/cmd/clear_alarms), and start again with CO2 plant page → Start chiller, then CO2 plant page → Start CO2.");
    public static readonly AlarmDefinition MartaWarning = new("marta.warning", AlarmSeverity.Warning,
        "A warning (_W) bit of the CO2 plant is set: the plant still runs, but a value is near its fail-safe limit. Read the message and watch the value on the MARTA page before it trips.");
    public static readonly AlarmDefinition MartaInconsistent = new("marta.inconsistent", AlarmSeverity.Major,
        "The CO2 plant reports a state TrackerDcs cannot explain (its status and start bits disagree), so nothing can be started. Look at the plant's own panel; CO2 plant page → Clear alarms (a script sends MARTA/cmd/clear_alarms) writes both start bits to 0.");
    public static readonly AlarmDefinition ChillerSensor = new("julabo.sensor", AlarmSeverity.Major,
        "The stand's settings say the chiller has an external Pt100 (Julabo:ExternalSensor Expected), but the unit gives no reading from it: the module temperature is unknown and control on the external sensor is blind. Check the Pt100's plug on the unit and its cable; if the stand has no external sensor, set Julabo:ExternalSensor to Absent or Auto.");
    public static readonly AlarmDefinition SensorSilent = new("sensor.silent", AlarmSeverity.Warning,
        "The sensor box has sent nothing for longer than the set time. Check its power and Wi-Fi; the dew-point protection is blind without it.");
    public static readonly AlarmDefinition DewPointMargin = new("environment.dewpoint", AlarmSeverity.Major,
        "The coldest temperature on the stand is close to the dew point: modules may condense. Raise the chiller's set point in use (on the Chiller page), dry the box (nitrogen), or switch off with Power page → HV off, then Power page → LV off.");
    public static readonly AlarmDefinition SpoolFilling = new("timeseries.spool", AlarmSeverity.Warning,
        "InfluxDB has not taken readings for a while and the on-disk spool is filling; when it is full new readings are dropped. Check that InfluxDB runs and accepts writes (/readyz says why); the spool empties by itself once it does.");
    public static readonly AlarmDefinition DiskFilling = new("system.disk", AlarmSeverity.Warning,
        "The data disk is nearly full. Free space or move the data directory; the audit log and the spool stop growing when it is full.");
    public static readonly AlarmDefinition StoreFailing = new("system.store", AlarmSeverity.Major,
        "A store of the data directory cannot be written (the message says which and why), most often because the data disk is full (see system.disk). " +
        "Lost while it lasts: operators' commands are refused, because their audit row cannot be written; alarm history rows wait in memory (up to 1000) " +
        "and runs cannot be recorded. Still working: alarms are evaluated, published and notified; interlocks act, journaled in audit-journal.jsonl; " +
        "the limits written to the crate and the chiller hold. Free space on the data disk, or fix the file's permissions; the alarm clears at the next write that succeeds.");
    public static readonly AlarmDefinition SiteClusterLost = new("site.cluster", AlarmSeverity.Major,
        "The site instance reaches no node of the site's message cluster: every stand on the Site page is shown as it was then, new alarms of the stands do not arrive, " +
        "and commands to the stands cannot be sent. The stands themselves work as before. Check the network to the cluster and its nodes (docs/site.md); " +
        "the site instance connects again by itself.");
    public static readonly AlarmDefinition SiteStandLost = new("site.stand", AlarmSeverity.Major,
        "The site hears nothing from this stand: its heartbeat stopped, or said it went offline. Its network to the cluster may be cut (then the stand " +
        "works as before, and its events reach the site in order when it is back), or its TrackerDcs or its machine may have stopped (then its interlocks " +
        "do not act: the hardware's own limits hold). The site cannot tell which: look at the stand itself. It clears at the stand's next heartbeat.");
    public static readonly AlarmDefinition SiteUnreachable = new("site.unreachable", AlarmSeverity.Warning,
        "No node of the site's message cluster has been reachable for a while: the site does not see this stand and cannot send it commands. " +
        "The stand itself works as before (interlocks, alarms, local commands). Alarm, run and procedure events wait on disk and reach the site in order " +
        "when a node is back. Check the network to the site and the cluster's nodes (docs/site.md).");

    /// <summary>Every alarm code: the catalogue's and the interlocks'.</summary>
    public static readonly IReadOnlySet<string> Codes = typeof(AlarmCatalog).GetFields()
        .Select(f => f.GetValue(null)).OfType<AlarmDefinition>().Select(d => d.Code).Append(InterlockCode).ToHashSet();
}
