using System.Collections.Concurrent;
using System.Text;
using TrackerDcs.Hardware.Sensors;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices.Julabo;

namespace TrackerDcs.Web.Devices.Sensors;

/// <summary>
/// The sensor boxes: the latest reading of every box seen on the broker (<see cref="SensorsTopics"/>), and the
/// <see cref="View"/> of the stand's environment, with the dew-point margin to the chiller's temperatures. With
/// Sensors:Simulated it also runs a simulated box, which publishes through the broker like a real one, so its
/// readings reach this service, the alarms and the time series by the same path.
/// </summary>
public sealed class SensorsService : BackgroundService, IDeviceView<SensorsView>
{
    private readonly ConcurrentDictionary<string, SensorBox> _boxes = new();
    private readonly SensorsOptions _options;
    private readonly IDeviceView<JulaboView> _julabo;
    private readonly IMqttPublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger<SensorsService> _log;
    private readonly PublishLoop _loop;

    public SensorsService(SensorsOptions options, IDeviceView<JulaboView> julabo, IMqttPublisher publisher, TimeProvider time, ILogger<SensorsService> log)
    {
        _options = options;
        _julabo = julabo;
        _publisher = publisher;
        _time = time;
        _log = log;
        _loop = new PublishLoop("the simulated sensor box", options.SimulatedPeriod, time, log);
        if (options.Simulated) Simulator = new SimulatedSensorBox(time);
    }

    /// <summary>The simulated box when Sensors:Simulated is set: its fault injection is what demos and tests use.</summary>
    public SimulatedSensorBox? Simulator { get; }

    /// <summary>Raised (on the broker's receive path) after a box sent a reading.</summary>
    public event Action? Changed;

    /// <summary>The environment now. The margin follows the chiller too: readers of it follow the chiller's Changed as well.</summary>
    public SensorsView View
    {
        get
        {
            var chiller = _julabo.View;
            double?[] temperatures = chiller.IsDisconnected ? [] : [chiller.InternalTemp, chiller.ExternalTemp];
            return new SensorsView([.. _boxes.Values.OrderBy(b => b.Name, StringComparer.Ordinal)], temperatures.Where(t => t.HasValue).Min());
        }
    }

    /// <summary>Watches every publish the broker lets through (the ACL has checked it already).</summary>
    public void Attach(BrokerTap tap) => tap.Subscribe((topic, payload) =>
    {
        // Cheap test first: the tap runs on the broker's receive path for every message.
        if (SensorsTopics.IsSensorTopic(topic)) Observe(topic, Encoding.UTF8.GetString(payload));
    });

    public void Observe(string topic, string payload)
    {
        if (!SensorsTopics.TryParse(topic, payload, out var reading, out var problem))
        {
            if (problem is not null) _log.LogWarning("Sensor reading on {Topic} dropped: {Problem}", topic, problem);
            return;
        }
        var (box, key, value) = reading;
        _boxes.AddOrUpdate(box,
            _ => new SensorBox(box, new Dictionary<string, double> { [key] = value }, _time.GetUtcNow()),
            (_, old) => old with { Readings = new Dictionary<string, double>(old.Readings) { [key] = value }, LastSeen = _time.GetUtcNow() });
        Changed?.Invoke();
    }

    /// <summary>Sends a round of readings at once (after a fault was injected) instead of at the next period.</summary>
    public void PublishSimulatedNow() => _loop.Wake();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Simulator is null ? Task.CompletedTask : _loop.RunAsync(PublishSimulatedAsync, stoppingToken);

    private async Task PublishSimulatedAsync(CancellationToken ct)
    {
        foreach (var (sensor, quantity, value) in Simulator!.Read())
            await _publisher.PublishAsync(SensorsTopics.Topic(_options.SimulatedBox, sensor, quantity), SensorsTopics.Payload(value), cancellationToken: ct);
    }
}
