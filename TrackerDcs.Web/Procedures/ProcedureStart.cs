using System.Text.Json;

namespace TrackerDcs.Web.Procedures;

/// <summary>The payload of procedures/cmd/start: {"name": …, "params": {…}, "modules": […], "comment": …}; name is required.</summary>
public sealed record ProcedureStart(string Name, IReadOnlyDictionary<string, double> Parameters, IReadOnlyList<string> Modules, string Comment)
{
    private static readonly string[] Fields = ["name", "params", "modules", "comment"];

    /// <summary>Parses the payload; throws FormatException naming what is wrong.</summary>
    public static ProcedureStart Parse(string payload)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(payload).RootElement;
        }
        catch (JsonException)
        {
            throw new FormatException("payload is not JSON: expected {\"name\": \"thermal-cycle\", \"params\": {…}, \"modules\": […], \"comment\": \"…\"}");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("payload must be a JSON object with at least \"name\"");
        foreach (var property in root.EnumerateObject())
            if (!Fields.Contains(property.Name)) throw new FormatException($"unknown field '{property.Name}' (allowed: {string.Join(", ", Fields)})");
        var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() is { Length: > 0 } s ? s
            : throw new FormatException("\"name\" is required: the procedure's name");
        var parameters = new Dictionary<string, double>();
        if (root.TryGetProperty("params", out var p))
        {
            if (p.ValueKind != JsonValueKind.Object) throw new FormatException("\"params\" must be an object of parameter: number");
            foreach (var property in p.EnumerateObject())
                parameters[property.Name] = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var d) ? d
                    : throw new FormatException($"parameter '{property.Name}' must be a number, got {property.Value.GetRawText()}");
        }
        var modules = new List<string>();
        if (root.TryGetProperty("modules", out var m))
        {
            if (m.ValueKind != JsonValueKind.Array) throw new FormatException("\"modules\" must be a list of module names");
            foreach (var item in m.EnumerateArray())
                modules.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new FormatException($"a module is a name, got {item.GetRawText()}"));
        }
        var comment = !root.TryGetProperty("comment", out var c) ? ""
            : c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new FormatException("\"comment\" must be text");
        return new ProcedureStart(name, parameters, modules, comment);
    }
}
