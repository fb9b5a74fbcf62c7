using System.Text.Json;
using System.Text.Json.Nodes;
using TrackerDcs.Hardware;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// procedures/cmd/start, pause, resume, abort and reload (operators), and list, runs and run (anyone who may read),
/// through the command bus: authorized and audited like every command (the reads are not audited).
/// </summary>
public static class ProcedureCommands
{
    public static readonly IReadOnlyList<string> Names = ["start", "pause", "resume", "abort", "reload", "list", "runs", "run"];

    public static void Register(CommandBus bus, ProcedureRunner runner, ProcedureCatalog catalog, IProcedureRunStore store, Func<ProcedureRules> rules)
    {
        const string root = ProcedureRunner.Root;
        bus.Register($"{root}/cmd/start", (request, _) =>
        {
            try
            {
                return runner.StartAsync(ProcedureStart.Parse(request.Payload), request.User, request.Role);
            }
            catch (FormatException e)
            {
                return Task.FromResult(CommandResult.Refused(e.Message));
            }
        });
        bus.Register($"{root}/cmd/pause", (request, _) => NoPayload(request) ?? runner.PauseAsync(request.User));
        bus.Register($"{root}/cmd/resume", (request, _) => NoPayload(request) ?? runner.ResumeAsync(request.User));
        bus.Register($"{root}/cmd/abort", (request, _) => NoPayload(request) ?? Task.FromResult(runner.Abort(request.User)));
        bus.Register($"{root}/cmd/reload", (request, _) =>
        {
            if (NoPayload(request) is { } refused) return refused;
            try
            {
                var loaded = catalog.Load(rules());
                return Task.FromResult(CommandResult.Success(new JsonObject { ["procedures"] = new JsonArray([.. loaded.Select(p => JsonValue.Create(p.Name))]) }));
            }
            catch (ProcedureFileException e)
            {
                return Task.FromResult(CommandResult.Refused($"nothing reloaded: {e.Message}"));
            }
        });
        bus.Register($"{root}/cmd/list", (request, _) => NoPayload(request) ?? Task.FromResult(CommandResult.Success(List(catalog))),
            Role.Viewer, isQuery: _ => true);
        // The runs' history and one run's record, for a client that has no HTTP to the stand: a script, the site
        // instance through its uplink.
        bus.Register($"{root}/cmd/runs", (request, _) => Task.FromResult(
            NumberPayload.TryParse(request.Payload, "limit", 1, 1000, 50, out var limit, out var error)
                ? CommandResult.Success(new JsonObject { ["runs"] = JsonSerializer.SerializeToNode(store.List((int)limit).Select(ProcedureRunSummary.Of), Json.Options) })
                : CommandResult.Refused(error!)), Role.Viewer, isQuery: _ => true);
        bus.Register($"{root}/cmd/run", (request, _) => Task.FromResult(
            !NumberPayload.TryParse(request.Payload, "run", 1, long.MaxValue, null, out var run, out var error) ? CommandResult.Refused(error!)
                : store.Get(run) is { } document ? CommandResult.Success(JsonSerializer.SerializeToNode(document, Json.Options))
                : CommandResult.Refused($"no procedure run {run}")), Role.Viewer, isQuery: _ => true);
    }

    private static Task<CommandResult>? NoPayload(CommandRequest request) =>
        request.Payload.Trim() is "" or "{}" ? null : Task.FromResult(CommandResult.Refused($"{request.Topic.Split('/')[^1]} takes no payload"));

    /// <summary>The procedures and their parameters, for a client that builds a form from them.</summary>
    private static JsonObject List(ProcedureCatalog catalog) => new()
    {
        ["procedures"] = new JsonArray([.. catalog.All.Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p.Name,
            ["description"] = p.Description,
            ["parameters"] = new JsonArray([.. p.Parameters.Select(q => (JsonNode)new JsonObject
            {
                ["name"] = q.Name, ["type"] = q.Type.ToString().ToLowerInvariant(), ["unit"] = q.Unit,
                ["min"] = q.Min, ["max"] = q.Max, ["default"] = q.Default, ["description"] = q.Description,
            })]),
        })]),
    };
}
