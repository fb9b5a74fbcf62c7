using System.Text.Json;

namespace TrackerDcs.Web.Commands;

/// <summary>
/// A query's payload of one whole number, <c>{"run": 12}</c> or <c>{"limit": 50}</c>, and nothing else: read strictly, so a
/// misspelt field is named instead of ignored. An empty payload is the default when the query has one.
/// </summary>
public static class NumberPayload
{
    /// <param name="fallback">The value of an empty payload; null: the field is required.</param>
    public static bool TryParse(string payload, string field, long min, long max, long? fallback, out long value, out string? error)
    {
        value = 0;
        error = $"payload must be {{\"{field}\": N}}{(fallback is null ? "" : " or empty")}";
        if (payload.Trim() == "" && fallback is { } empty)
        {
            (value, error) = (empty, null);
            return true;
        }
        try
        {
            var root = JsonDocument.Parse(payload).RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            foreach (var property in root.EnumerateObject())
                if (property.Name != field) { error = $"unknown field '{property.Name}' (allowed: {field})"; return false; }
            if (!root.TryGetProperty(field, out var number)) { error = $"missing field '{field}'"; return false; }
            if (number.ValueKind != JsonValueKind.Number || !number.TryGetInt64(out value) || value < min || value > max)
            {
                error = $"'{field}' must be a whole number from {min} to {max}";
                return false;
            }
            error = null;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
