using System.Text.Json;
using System.Text.Json.Nodes;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Runs;

/// <summary>ph2acf/cmd/start, stop (operators), conditions and runs (anyone who may read), through the command bus.</summary>
public static class RunCommands
{
    public static void Register(CommandBus bus, RunController controller)
    {
        bus.Register($"{RunController.Root}/cmd/start", (request, ct) =>
        {
            StartRequest start;
            try
            {
                start = StartRequest.Parse(request.Payload);
            }
            catch (FormatException e)
            {
                return Task.FromResult(CommandResult.Refused(e.Message));
            }
            return controller.StartAsync(start, request.User, ct);
        });
        bus.Register($"{RunController.Root}/cmd/stop", NoPayload.Handler("stop", (request, _) => controller.StopAsync(request.User)));
        bus.Register($"{RunController.Root}/cmd/conditions", (request, ct) =>
            NumberPayload.TryParse(request.Payload, "run", 1, long.MaxValue, null, out var run, out var error) ? controller.ConditionsAsync(run, ct)
                : Task.FromResult(CommandResult.Refused(error!)), Role.Viewer);
        // The history for a client that has no HTTP to the stand: a script, the site instance through its uplink.
        bus.Register($"{RunController.Root}/cmd/runs", async (request, ct) =>
            NumberPayload.TryParse(request.Payload, "limit", 1, 1000, 50, out var limit, out var error)
                ? CommandResult.Success(new JsonObject { ["runs"] = JsonSerializer.SerializeToNode((await controller.Store.ListAsync((int)limit, ct)).Select(RunSummary.Of), Json.Options) })
                : CommandResult.Refused(error!), Role.Viewer, isQuery: _ => true);
    }
}
