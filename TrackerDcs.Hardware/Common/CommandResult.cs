using System.Text.Json.Nodes;

namespace TrackerDcs.Hardware;

/// <summary>
/// The answer to a device command, whatever the device and whatever the path it came by (MQTT, the panel, an
/// interlock, a procedure): done, possibly with data for the reply, or refused with a reason an operator can act on.
/// </summary>
public sealed record CommandResult(bool Ok, string? Error = null, JsonNode? Data = null)
{
    public static readonly CommandResult Done = new(true);

    public static CommandResult Success(JsonNode? data = null) => data is null ? Done : new(true, null, data);
    public static CommandResult Refused(string reason) => new(false, reason);

    public override string ToString() => Ok ? "ok" : $"refused: {Error}";
}
