using System.Globalization;

namespace TrackerDcs.Web.Devices.Sensors;

/// <summary>
/// What the sensor boxes publish (the seed's ESP boxes): <c>ESPnn/sensors/&lt;sensor&gt;/&lt;quantity&gt;</c>, a plain
/// number such as <c>21.4</c>. The reading is keyed as its InfluxDB field, <c>&lt;sensor&gt;_&lt;quantity&gt;</c> (BME_temp).
/// </summary>
public static class SensorsTopics
{
    public const string Level = "sensors";

    /// <summary>The cheap test the broker's tap runs on every message before anything is parsed.</summary>
    public static bool IsSensorTopic(string topic) => topic.Contains($"/{Level}/", StringComparison.Ordinal);

    public static string Topic(string box, string sensor, string quantity) => $"{box}/{Level}/{sensor}/{quantity}";

    public static string Payload(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>
    /// A reading, or null when the topic is not a sensor reading (false, problem null) or its payload is not a
    /// number (false, with the problem in words).
    /// </summary>
    public static bool TryParse(string topic, string payload, out (string Box, string Key, double Value) reading, out string? problem)
    {
        reading = default;
        problem = null;
        if (topic.Split('/') is not [var box, Level, var sensor, var quantity]) return false;
        if (!double.TryParse(payload.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            problem = $"'{(payload.Length > 40 ? payload[..40] + "…" : payload)}' is not a number";
            return false;
        }
        reading = (box, $"{sensor}_{quantity}", value);
        return true;
    }
}
