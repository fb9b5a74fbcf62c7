using System.Text.Json;

namespace TrackerDcs.Web.Site;

/// <summary>
/// A field of a mirrored payload, as the site reads it: missing, or not of the kind asked (a stand of another version),
/// is null rather than an error, so one odd payload never hides a stand.
/// </summary>
internal static class MirroredPayload
{
    public static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static double? Number(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
