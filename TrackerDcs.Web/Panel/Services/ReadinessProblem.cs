using System.Text.Json.Nodes;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>A part of the process that is not ready, as /readyz reports it.</summary>
public sealed record ReadinessProblem(string Kind, string Name, string State, string? Detail)
{
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
