using System.Text.Json.Nodes;

namespace TrackerDcs.Web.Health;

/// <summary>The state of one part of the process as /readyz shows it.</summary>
public sealed record ComponentState(bool Ready, string State, string? Detail = null);

/// <summary>
/// The parts of the process (broker, drivers, stores) register how to ask them for their state;
/// /readyz asks them all. Ready means every part is; the JSON says which is not and why.
/// </summary>
public sealed class Readiness
{
    private readonly List<(string Kind, string Name, Func<ComponentState> Check)> _components = [];

    public void Register(string kind, string name, Func<ComponentState> check)
    {
        lock (_components) _components.Add((kind, name, check));
    }

    public (bool Ready, JsonObject Report) Check()
    {
        var report = new JsonObject();
        var ready = true;
        lock (_components)
        {
            foreach (var (kind, name, check) in _components)
            {
                ComponentState state;
                try
                {
                    state = check();
                }
                catch (Exception e)
                {
                    state = new ComponentState(false, "error", e.Message);
                }
                ready &= state.Ready;
                if (report[kind] is not JsonObject group) report[kind] = group = new JsonObject();
                var entry = new JsonObject { ["ready"] = state.Ready, ["state"] = state.State };
                if (state.Detail is not null) entry["detail"] = state.Detail;
                group[name] = entry;
            }
        }
        return (ready, new JsonObject { ["ready"] = ready, ["components"] = report });
    }
}
