using System.Text.Json.Nodes;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>
/// A part of the process that is not ready, as /readyz reports it; <see cref="Since"/> is when the panel first saw it not
/// ready (<see cref="PanelFeed.NotReady"/>), null when read straight from the report.
/// </summary>
public sealed record ReadinessProblem(string Kind, string Name, string State, string? Detail, DateTimeOffset? Since = null)
{
    /// <summary>
    /// A driver, the broker (the sensor boxes publish through it) or a watchdog: what the pages show of it, and the
    /// alarms evaluated from it, are no longer current. A store that is not ready loses history, not live values.
    /// </summary>
    public bool StalesValues => Kind != "store";

    public static IReadOnlyList<ReadinessProblem> From(Readiness readiness) => From(readiness.Check().Report);

    public static IReadOnlyList<ReadinessProblem> From(JsonObject report)
    {
        var problems = new List<ReadinessProblem>();
        if (report["components"] is not JsonObject components) return problems;
        foreach (var (kind, group) in components)
            if (group is JsonObject parts)
                foreach (var (name, entry) in parts)
                    if (entry is JsonObject e && e["ready"]?.GetValue<bool>() == false)
                        problems.Add(new ReadinessProblem(kind, name, e["state"]?.GetValue<string>() ?? "?", e["detail"]?.GetValue<string>()));
        return problems;
    }
}
