using TrackerDcs.Web.Common;
using TrackerDcs.Hardware;
using System.Text.Json;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Devices.Julabo;

/// <summary>
/// Hosts the chiller driver and publishes julabo/status (retained) on every change and at least every
/// poll period, so Grafana's writer gets a steady series even when the bath is stable.
/// </summary>
public sealed class JulaboService : BackgroundService
{
    public const string Root = "julabo";
    private readonly MqttPublisher _publisher;
    private readonly SemaphoreSlim _changed = new(0);
    private readonly TimeSpan _period;

    public JulaboService(JulaboDevice device, JulaboOptions options, MqttPublisher publisher, Readiness readiness)
    {
        Device = device;
        _period = options.PollPeriod;
        _publisher = publisher;
        device.StatusChanged += _ => _changed.Release();
        readiness.Register("driver", "julabo", () => device.State switch
        {
            JulaboState.Disconnected => new ComponentState(false, "DISCONNECTED", device.LastError),
            // The link is open but the warning limits are still being written, or the first status read.
            JulaboState.Connected => new ComponentState(false, "CONNECTED", "writing the warning limits and reading the status"),
            var s => new ComponentState(true, s.Wire(), device.StatusText),
        });
    }

    public JulaboDevice Device { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var run = Device.RunAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _publisher.PublishAsync($"{Root}/status", JsonSerializer.Serialize(Device.Status, Json.Options), retain: true,
                    cancellationToken: stoppingToken);
                await _changed.WaitAsync(_period, stoppingToken);
                while (_changed.CurrentCount > 0) await _changed.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
        await run;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Device.DisposeAsync();
    }
}
