using System.Text.Json;
using TrackerDcs.Web.Commands;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Alarms;

/// <summary>
/// alarms/cmd/ack {"key":"caen.trip:0/hv"}, alarms/cmd/shelve {"key":…,"minutes":60,"reason":"…"},
/// alarms/cmd/unshelve {"key":…}, alarms/cmd/ack_all {"keys":[…]} (the alarms the operator sees, acknowledged as one
/// command): through the command bus, so they are authorized and audited like any command.
/// </summary>
public static class AlarmCommands
{
    private sealed record Request(string? Key, double? Minutes, string? Reason);
    private sealed record AllRequest(List<string>? Keys);

    public static void Register(CommandBus bus, AlarmManager manager)
    {
        bus.Register("alarms/cmd/ack", (r, ct) => Run(r, false, (q, ct) => manager.AcknowledgeAsync(q.Key!, r.User, ct), ct));
        bus.Register("alarms/cmd/shelve", (r, ct) => Run(r, true, (q, ct) =>
            manager.ShelveAsync(q.Key!, TimeSpan.FromMinutes(q.Minutes ?? 0), q.Reason ?? "", r.User, ct), ct));
        bus.Register("alarms/cmd/unshelve", (r, ct) => Run(r, false, (q, ct) => manager.UnshelveAsync(q.Key!, r.User, ct), ct));
        bus.Register("alarms/cmd/ack_all", async (r, ct) =>
        {
            AllRequest? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize<AllRequest>(r.Payload, Options);
            }
            catch (JsonException)
            {
                parsed = null;
            }
            if (parsed?.Keys is not { Count: > 0 } keys || keys.Any(string.IsNullOrEmpty))
                return CommandResult.Refused("""payload must be {"keys":["…", …]}: the alarms to acknowledge""");
            return await manager.AcknowledgeAllAsync(keys, r.User, ct) is { } error ? CommandResult.Refused(error) : CommandResult.Success();
        });
    }

    private static async Task<CommandResult> Run(CommandRequest request, bool shelve, Func<Request, CancellationToken, Task<string?>> action, CancellationToken ct)
    {
        Request? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<Request>(request.Payload, Options);
        }
        catch (JsonException)
        {
            parsed = null;
        }
        var expected = shelve ? """{"key":"…","minutes":60,"reason":"…"}""" : """{"key":"…"}""";
        if (parsed?.Key is not { Length: > 0 }) return CommandResult.Refused($"payload must be {expected}");
        if (shelve && parsed.Minutes is null) return CommandResult.Refused($"payload must be {expected}");
        // Checked before it becomes a TimeSpan: 1e308 minutes would overflow it.
        if (shelve && parsed.Minutes is { } minutes && !(minutes > 0 && minutes <= AlarmManager.MaxShelve.TotalMinutes))
            return CommandResult.Refused($"{AlarmManager.ShelveBound}, got {minutes.ToString(System.Globalization.CultureInfo.InvariantCulture)} minutes");
        return await action(parsed, ct) is { } error ? CommandResult.Refused(error) : CommandResult.Success();
    }

    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true, UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };
}
