using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Devices.Julabo;

namespace TrackerDcs.Web.Sensors;

/// <summary>
/// The environment of the stand: the latest reading of every sensor box (ESPnn/sensors/&lt;sensor&gt;/&lt;quantity&gt;,
/// a plain number), the highest dew point among them, and its margin to the coldest temperature on the
/// stand (the chiller's bath and external sensor): the figure that says whether modules may condense.
/// </summary>
public sealed class EnvironmentMonitor(JulaboService julabo, TimeProvider time, ILogger<EnvironmentMonitor> log)
{
    private readonly ConcurrentDictionary<string, SensorBox> _boxes = new();

    public event Action<SensorBox>? Changed;

    public IReadOnlyList<SensorBox> Boxes => [.. _boxes.Values.OrderBy(b => b.Name, StringComparer.Ordinal)];

    public double? HighestDewPoint => _boxes.Values.Select(b => b.DewPoint).Where(d => d.HasValue).Max();

    public double? ColdestTemperature
    {
        get
        {
            var chiller = julabo.View;
            if (chiller.IsDisconnected) return null;
            double?[] temperatures = [chiller.InternalTemp, chiller.ExternalTemp];
            return temperatures.Where(t => t.HasValue).Min();
        }
    }

    /// <summary>Coldest temperature minus highest dew point; null while either is unknown.</summary>
    public double? DewPointMargin => ColdestTemperature - HighestDewPoint;

    /// <summary>Watches every publish the broker lets through.</summary>
    public void Attach(BrokerTap tap) => tap.Subscribe((topic, payload) =>
    {
        // Cheap test first: the tap runs on the broker's receive path for every message.
        if (topic.Contains("/sensors/", StringComparison.Ordinal)) Observe(topic, Encoding.UTF8.GetString(payload));
    });

    public void Observe(string topic, string payload)
    {
        var levels = topic.Split('/');
        if (levels is not [var box, "sensors", var sensor, var quantity]) return;
        if (!double.TryParse(payload.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            log.LogWarning("Sensor reading on {Topic} dropped: '{Payload}' is not a number", topic, payload.Length > 40 ? payload[..40] + "…" : payload);
            return;
        }
        var key = $"{sensor}_{quantity}";
        var updated = _boxes.AddOrUpdate(box,
            _ => new SensorBox(box, new Dictionary<string, double> { [key] = value }, time.GetUtcNow()),
            (_, old) => old with { Readings = new Dictionary<string, double>(old.Readings) { [key] = value }, LastSeen = time.GetUtcNow() });
        Changed?.Invoke(updated);
    }
}
