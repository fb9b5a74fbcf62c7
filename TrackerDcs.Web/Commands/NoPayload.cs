using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Commands;

/// <summary>
/// The commands that take no payload (dcs/cmd/refresh, julabo/cmd/start, …): an empty payload, or "{}" from a
/// client that always sends JSON. Anything else is refused, naming the command, so a payload meant for another
/// command (or a typo) is never run as if it had not been sent.
/// </summary>
public static class NoPayload
{
    /// <summary>Null when the payload is empty, else the refusal.</summary>
    public static string? Check(string command, string payload) =>
        payload.Trim() is "" or "{}" ? null : $"{command} takes no payload, got '{Quote(payload)}'";

    /// <summary>The handler, run only for an empty payload.</summary>
    public static CommandHandler Handler(string command, CommandHandler handler) => (request, ct) =>
        Check(command, request.Payload) is { } refusal ? Task.FromResult(CommandResult.Refused(refusal)) : handler(request, ct);

    private static string Quote(string payload) => payload.Length <= 40 ? payload : payload[..40] + "…";
}
