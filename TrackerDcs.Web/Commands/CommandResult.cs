using System.Text.Json.Nodes;

namespace TrackerDcs.Web.Commands;

/// <summary>The answer to a command: done, or refused with a reason an operator can act on.</summary>
public sealed record CommandResult(bool Ok, string? Error = null, JsonNode? Data = null)
{
    public static CommandResult Success(JsonNode? data = null) => new(true, null, data);
    public static CommandResult Refused(string reason) => new(false, reason);

    public override string ToString() => Ok ? "ok" : $"refused: {Error}";
}
