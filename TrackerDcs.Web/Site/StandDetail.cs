namespace TrackerDcs.Web.Site;

/// <summary>
/// One stand in more detail than its card on the Site page, for its own page at the site (/site/&lt;stand&gt;): its
/// channels and chiller as its dcs/channels and julabo/status say, its procedure and calibration run as their statuses
/// say, its active alarms, its sensor boxes' latest readings, its CO2 plant and switch box (<see cref="StandDevices"/>), and
/// its recent history (<see cref="StandHistory"/>). As of the stand's summary's heartbeat when
/// <see cref="StandView.Lost"/>.
/// </summary>
public sealed record StandDetail(StandView Stand, IReadOnlyList<StandChannel> Channels, StandChiller? Chiller,
    StandActivity? Procedure, StandActivity? Calibration, IReadOnlyList<SiteAlarm> Alarms, IReadOnlyList<StandEvent> History,
    IReadOnlyList<StandSensorBox> Sensors, StandMarta? Marta, StandSwitchBox? SwitchBox);

/// <summary>
/// One sensor box of a stand, from its mirrored ESPnn/sensors/&lt;sensor&gt;/&lt;quantity&gt; readings: each keyed as its
/// InfluxDB field (BME_temp), and when the site last heard the box.
/// </summary>
public sealed record StandSensorBox(string Name, IReadOnlyDictionary<string, double> Readings, DateTimeOffset LastHeard);

/// <summary>
/// One channel of a stand's crate, from its dcs/channels entry: the channel's state (<c>LV_ON</c>, <c>HV_ON</c>, …), and each
/// supply's set point and readings (LV in V and A, HV in V and µA, as the crate's fields). Null: not in the payload.
/// </summary>
public sealed record StandChannel(string Id, string? Module, string? State,
    double? LvSetV, double? LvVMon, double? LvIMon, double? HvSetV, double? HvVMon, double? HvIMon);

/// <summary>A stand's chiller from its julabo/status: its state, the set point in use and its value, the bath, the external sensor, the power (%).</summary>
public sealed record StandChiller(string? State, int? SetpointInUse, double? Setpoint, double? Bath, double? External, double? Power);

/// <summary>
/// The stand's procedure or calibration run, from procedures/status or ph2acf/status: its state (running, paused, aborting,
/// or how the last one ended: finished, failed, stopped; idle after a restart), the run, what it runs and for whom,
/// the step (procedures), the progress in %, the time since it began and the estimate left (s), and why it ended.
/// </summary>
public sealed record StandActivity(string State, long? Run, string? Name, string? Operator, int? Step, int? Steps, string? StepDescription,
    double? Progress, double? ElapsedSeconds, double? LeftSeconds, string? Reason)
{
    /// <summary>Running, paused or aborting: not ended yet, so its time so far and left are what it has run and has to run.</summary>
    public bool Active => State is "running" or "paused" or "aborting";
}
