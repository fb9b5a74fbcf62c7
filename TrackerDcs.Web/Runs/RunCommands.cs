using System.Text.Json;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Runs;

/// <summary>ph2acf/cmd/start, stop (operators) and conditions (anyone who may read), through the command bus.</summary>
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
            TryParseRun(request.Payload, out var run, out var error) ? controller.ConditionsAsync(run, ct)
                : Task.FromResult(CommandResult.Refused(error!)), Role.Viewer);
    }

    /// <summary>{"run": N} and nothing else.</summary>
    private static bool TryParseRun(string payload, out long run, out string? error)
    {
        run = 0;
        error = "payload must be {\"run\": N}";
        try
        {
            var root = JsonDocument.Parse(payload).RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            foreach (var property in root.EnumerateObject())
                if (property.Name != "run") { error = $"unknown field '{property.Name}' (allowed: run)"; return false; }
            if (!root.TryGetProperty("run", out var value)) { error = "missing field 'run'"; return false; }
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out run) || run <= 0) { error = "'run' must be a positive integer"; return false; }
            error = null;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
