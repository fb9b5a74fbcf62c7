namespace TrackerDcs.Web.Site;

/// <summary>The site instance's read model: every stand heard of, by name, and the site's one alarm list.</summary>
public sealed record SiteView(IReadOnlyList<StandView> Stands, IReadOnlyList<SiteAlarm> Alarms)
{
    public static readonly SiteView Empty = new([], []);

    public StandView? Stand(string name) => Stands.FirstOrDefault(s => s.Name == name);
}

/// <summary>
/// One stand as the site last heard it. States are the stand's wire names (<c>LV_OFF</c>, <c>RUNNING</c>, …); null is
/// "never heard". <see cref="Lost"/>: its heartbeat stopped (or said offline), and everything here is as of <see cref="HeartbeatAt"/>.
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
    DateTimeOffset? HeartbeatAt,
    TimeSpan? HeartbeatAge,
    bool Lost,
    DateTimeOffset LastHeard);

/// <summary>An active alarm of a stand, as its alarms/active lists it, with the stand named.</summary>
public sealed record SiteAlarm(string Stand, string Key, string Severity, string Message, DateTimeOffset Raised, bool Acknowledged);
