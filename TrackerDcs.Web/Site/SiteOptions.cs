using System.Globalization;
using System.Text.RegularExpressions;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Site;

/// <summary>What this process is on the site: a stand (devices, and an uplink when Site:Brokers is set) or the site instance (no hardware: every stand's view, and the site's commands to them).</summary>
public enum SiteMode { Stand, Site }

/// <summary>
/// Section "Site": the site's clustered broker (a RabbitMQ cluster with its MQTT plugin, docs/site.md) that this stand
/// mirrors its topics to and takes the site's commands from. Empty Brokers: no uplink, the stand stands alone.
/// With Mode Site, the process is the site instance: it reads every stand from the same cluster with the site's account.
/// </summary>
public sealed partial class SiteOptions : ISettingsSection
{
    public static string Section => "Site";

    public SiteMode Mode { get; set; } = SiteMode.Stand;

    /// <summary>The cluster's nodes as host:port (their MQTT listeners), tried in this order; a lost node hands over to the next.</summary>
    public List<string> Brokers { get; set; } = [];
    /// <summary>This stand's name on the site: the second level of site/&lt;stand&gt;/…, and the RabbitMQ account's scope.</summary>
    public string Stand { get; set; } = "";
    public string User { get; set; } = "";
    public string Password { get; set; } = "";
    /// <summary>MQTT over TLS to every node (RabbitMQ's mqtt.listeners.ssl, 8883).</summary>
    public bool Tls { get; set; }
    /// <summary>PEM file of the CA that signed the nodes' certificates; empty: the system's trust store.</summary>
    public string CaFile { get; set; } = "";
    /// <summary>The most events (alarm events, run and procedure events, replies) kept on disk while the site is away; beyond, the oldest go.</summary>
    public int QueueLimit { get; set; } = 10000;
    /// <summary>Away this long (no node reachable), the minor alarm site.unreachable is raised; a failover is shorter.</summary>
    public TimeSpan AlarmAfter { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>A node that stops answering (a hung machine, a cut cable) is left after 1.5 times this.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Site instance only: a stand whose heartbeat (every 5 s) is older than this is shown as lost, with its values "as of" its last heartbeat.</summary>
    public TimeSpan LostAfter { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>Site instance only: how long a site operator's command waits for the stand's reply.</summary>
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A stand's uplink runs: a stand with the cluster's nodes.</summary>
    public bool Enabled => Mode == SiteMode.Stand && Brokers.Count > 0;

    public bool IsSite => Mode == SiteMode.Site;

    /// <summary>The nodes' addresses (checked by <see cref="Problems"/>).</summary>
    public IReadOnlyList<(string Host, int Port)> Endpoints() => Brokers.Select(Parse).Select(e => (e!.Value.Host, e.Value.Port)).ToList();

    private static (string Host, int Port)? Parse(string broker)
    {
        var colon = broker.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(broker[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return null;
        var host = broker[..colon].Trim('[', ']');
        return host.Length == 0 || host.Any(char.IsWhiteSpace) ? null : (host, port);
    }

    /// <summary>
    /// Checked when there is a broker (without one, no uplink runs), for the site instance, which needs one, and the
    /// stand's name whenever it is given: it is also the stand tag of the time series (TimeSeries/StandTag), uplink or not.
    /// </summary>
    public IEnumerable<SettingsProblem> Problems()
    {
        // The name is a topic level and a part of a RabbitMQ permission regex: no MQTT wildcard, no '/', no '.' (AMQP's '/').
        if (!IsSite && (Brokers.Count > 0 || Stand.Length > 0) && !StandName().IsMatch(Stand))
            yield return new("Site:Stand", $"'{Stand}' is not a stand name (1 to 32 of a-z, 0-9, '-' and '_', starting with a letter or digit)");
        if (IsSite && Brokers.Count == 0) yield return new("Site:Brokers", "empty: the site instance reads the stands from the site's cluster, list its nodes");
        if (Brokers.Count == 0) yield break;
        for (var i = 0; i < Brokers.Count; i++)
            if (Parse(Brokers[i]) is null)
                yield return new($"Site:Brokers:{i}", $"'{Brokers[i]}' is not host:port (a port 1..65535)");
        if (User.Length == 0) yield return new("Site:User", $"empty: the site's cluster refuses anonymous {(IsSite ? "clients" : "stands")}");
        if (IsSite && (LostAfter < TimeSpan.FromSeconds(6) || LostAfter > TimeSpan.FromHours(1)))
            yield return new("Site:LostAfter", $"{LostAfter} is outside 00:00:06..01:00:00 (a heartbeat comes every 5 s)");
        if (IsSite && (ReplyTimeout < TimeSpan.FromSeconds(1) || ReplyTimeout > TimeSpan.FromMinutes(10)))
            yield return new("Site:ReplyTimeout", $"{ReplyTimeout} is outside 00:00:01..00:10:00");
        if (QueueLimit is < 1 or > 10_000_000) yield return new("Site:QueueLimit", $"{QueueLimit} is outside 1..10000000");
        if (AlarmAfter < TimeSpan.Zero || AlarmAfter > TimeSpan.FromDays(1))
            yield return new("Site:AlarmAfter", $"{AlarmAfter} is outside 00:00:00..1.00:00:00");
        if (KeepAlive < TimeSpan.FromSeconds(1) || KeepAlive > TimeSpan.FromMinutes(10))
            yield return new("Site:KeepAlive", $"{KeepAlive.TotalSeconds.ToString(CultureInfo.InvariantCulture)} is outside 1..600 s");
        if (CaFile.Length > 0 && !File.Exists(CaFile)) yield return new("Site:CaFile", $"file '{CaFile}' does not exist");
    }

    /// <summary>A stand's name, as <see cref="Stand"/> must be (the site instance checks the stands it is asked to command).</summary>
    public static bool IsStandName(string name) => StandName().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,31}$")]
    private static partial Regex StandName();
}
