namespace TrackerDcs.Web.Site;

/// <summary>
/// The site instance's read model: every stand heard of, by name, and the site's one alarm list. <see cref="ClusterLost"/>:
/// the site instance's own alarm while it reaches no node of the cluster (also first in <see cref="Alarms"/>), else null.
/// </summary>
public sealed record SiteView(IReadOnlyList<StandView> Stands, IReadOnlyList<SiteAlarm> Alarms, SiteAlarm? ClusterLost = null)
{
    public static readonly SiteView Empty = new([], []);

    public StandView? Stand(string name) => Stands.FirstOrDefault(s => s.Name == name);
}

/// <summary>
/// One stand as the site last heard it. States are the stand's wire names (<c>LV_OFF</c>, <c>RUNNING</c>, …); null is
/// "never heard". <see cref="Lost"/>: its heartbeat stopped (or said offline), and everything here is as of <see cref="HeartbeatAt"/>.
/// The dew point figures are the stand's own (its uplink's environment/status): <see cref="DewPointMargin"/> is its coldest
/// temperature minus its highest dew point, and <see cref="DewPointMarginMin"/> its alarm's minimum (Alarms:DewPointMarginMin).
/// </summary>
public sealed record StandView(
    string Name,
    string? Crate,
    string? Chiller,
    double? ChillerTemperature,
    string? Marta,
    string? SwitchBox,
    int ActiveAlarms,
    SiteAlarm? NewestAlarm,
    string? Run,
    string? Procedure,
    double? DewPointMargin,
    double? DewPoint,
    double? ColdestTemperature,
    double? DewPointMarginMin,
    DateTimeOffset? HeartbeatAt,
    TimeSpan? HeartbeatAge,
    bool Lost,
    DateTimeOffset LastHeard)
{
    /// <summary>The margin is known and below the stand's minimum: the stand's own alarm environment.dewpoint is raised.</summary>
    public bool DewPointMarginLow => DewPointMargin < DewPointMarginMin;
}

/// <summary>An active alarm of a stand, as its alarms/active lists it, with the stand named (<see cref="SiteStands.SiteItself"/>: the site instance's own).</summary>
public sealed record SiteAlarm(string Stand, string Key, string Severity, string Message, DateTimeOffset Raised, bool Acknowledged);
