using System.Text.Json;
using System.Text.Json.Serialization;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// One point of an IV scan as the iv_scan step records it: the set and measured voltage, the mean and standard
/// deviation of IMon (µA) over the samples, when, and the conditions (bath temperature, dew point, the chiller's
/// external sensor and the sensor temperature, the scan's <c>temperature</c> signal, °C).
/// </summary>
public sealed record IvPoint(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("module")] string? Module,
    [property: JsonPropertyName("v_set")] double VSet,
    [property: JsonPropertyName("v")] double? V,
    [property: JsonPropertyName("i")] double I,
    [property: JsonPropertyName("i_std")] double IStd,
    [property: JsonPropertyName("time_ms")] long TimeMs,
    [property: JsonPropertyName("chiller_bath")] double? ChillerBath,
    [property: JsonPropertyName("dewpoint")] double? Dewpoint,
    [property: JsonPropertyName("chiller_external")] double? ChillerExternal = null,
    [property: JsonPropertyName("t_sensor")] double? SensorTemperature = null);

/// <summary>An iv_scan step's outcome: its points and why it stopped (null when it reached its last point).</summary>
public sealed record IvScanResult(
    [property: JsonPropertyName("stopped")] string? Stopped,
    [property: JsonPropertyName("points")] IReadOnlyList<IvPoint> Points)
{
    /// <summary>Whether the scan is still measuring (or was, when the process stopped): its points are those so far.</summary>
    [JsonIgnore] public bool Going { get; init; }

    /// <summary>
    /// The scan's result from its step's record, whose result is the command result's text followed by its data
    /// ("ok {…}"), or while the scan goes "scanning {…}" with the points so far (<see cref="Going"/>); null for a step
    /// that is no scan or has no data (it failed, or has not measured a point yet).
    /// </summary>
    public static IvScanResult? Of(StepRecord step)
    {
        if (step.Kind != "iv_scan" || step.Ok == false || step.Result is not { } text) return null;
        var brace = text.IndexOf('{');
        if (brace < 0) return null;
        try
        {
            return JsonSerializer.Deserialize<IvScanResult>(text[brace..], Json.Options)! with { Going = step.Ok is null };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Every scan of a run, in the order they ran.</summary>
    public static IReadOnlyList<IvScanResult> Of(ProcedureRunDocument run) => [.. run.Steps.Select(Of).OfType<IvScanResult>()];
}
