using System.Text.Json;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// The ph2acf/cmd/start payload: {"calibration": name, "modules": [names], "comment": text (optional)}.
/// Strict: an unknown or missing field, or a value of the wrong type, is refused with its name, so a typo
/// never starts a different run than the operator meant.
/// </summary>
public sealed record StartRequest(string Calibration, IReadOnlyList<string> Modules, string Comment)
{
    private static readonly string[] Fields = ["calibration", "modules", "comment"];

    public static StartRequest Parse(string payload)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(payload).RootElement;
        }
        catch (JsonException)
        {
            throw new FormatException("payload is not JSON: expected {\"calibration\":…,\"modules\":[…],\"comment\":…}");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("payload must be a JSON object");
        foreach (var property in root.EnumerateObject())
            if (!Fields.Contains(property.Name)) throw new FormatException($"unknown field '{property.Name}' (allowed: {string.Join(", ", Fields)})");
        if (!root.TryGetProperty("calibration", out var calibration)) throw new FormatException("missing field 'calibration'");
        if (calibration.ValueKind != JsonValueKind.String || calibration.GetString() is not { Length: > 0 } name)
            throw new FormatException("'calibration' must be a non-empty string");
        if (!root.TryGetProperty("modules", out var modules)) throw new FormatException("missing field 'modules'");
        if (modules.ValueKind != JsonValueKind.Array || modules.GetArrayLength() == 0)
            throw new FormatException("'modules' must be a non-empty array of module names");
        var list = new List<string>();
        foreach (var module in modules.EnumerateArray())
        {
            if (module.ValueKind != JsonValueKind.String || module.GetString() is not { Length: > 0 } m)
                throw new FormatException("'modules' must contain module names (strings)");
            if (list.Contains(m)) throw new FormatException($"module '{m}' is listed twice");
            list.Add(m);
        }
        var comment = "";
        if (root.TryGetProperty("comment", out var c))
        {
            if (c.ValueKind != JsonValueKind.String) throw new FormatException("'comment' must be a string");
            comment = c.GetString()!;
        }
        return new StartRequest(name, list, comment);
    }
}
