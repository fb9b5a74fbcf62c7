using TrackerDcs.Web.Common;
using System.Text.Json.Nodes;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Health;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Devices.Caen;

/// <summary>
/// Hosts the CAEN driver: loads the channel map, connects it to the crate (or to the simulated one),
/// and publishes the seed's topics: dcs/status (retained, on change), dcs/channels (one object per
/// channel, on change and every <see cref="CaenOptions.PublishPeriodSeconds"/>) and, new, each channel
/// retained on dcs/channels/&lt;id&gt; so a client that connects late sees the crate at once.
/// </summary>
public sealed class CaenService : BackgroundService
{
    /// <summary>Publishes are at least this far apart: a burst of monitor events becomes one publish, the first at once.</summary>
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);
    private readonly CaenOptions _options;
    private readonly CaenLink _link;
    private readonly MqttPublisher _publisher;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<CaenService> _log;
    private readonly SemaphoreSlim _changed = new(0);
    private string? _lastStatus;

    public CaenService(CaenOptions options, ChannelMap map, CaenLink link, MqttPublisher publisher, Readiness readiness, ILoggerFactory loggers)
    {
        _options = options;
        _link = link;
        _publisher = publisher;
        _loggers = loggers;
        _log = loggers.CreateLogger<CaenService>();
        Controller = NewController(map);
        readiness.Register("driver", "caen", () => Controller.State switch
        {
            CaenState.Disconnected or CaenState.Init => new ComponentState(false, Controller.State.Wire(), _link.Describe()),
            var s => new ComponentState(true, s.Wire(), _link.Describe()),
        });
    }

    public CaenCrateController Controller { get; private set; }

    /// <summary>The MQTT topic root: `name` of channels.yml.</summary>
    public string Root => Controller.Map.Name;

    /// <summary>Loads channels.yml again; a broken file is refused with its line and key, and the old map stays.</summary>
    public async Task<CommandResult> ReloadAsync(CancellationToken ct)
    {
        ChannelMap map;
        try
        {
            map = ChannelMap.Load(CaenSetup.ChannelsPath(_options));
        }
        catch (ChannelMapException e)
        {
            return CommandResult.Refused(e.Message);
        }
        if (map.Name != Root) return CommandResult.Refused($"name '{map.Name}' differs from the running '{Root}': the topic root changes only with a restart");
        var old = Controller;
        Controller = NewController(map);
        old.Dispose();
        var result = await Controller.StartAsync(ct);
        _log.LogInformation("Reloaded {File} ({Channels} channels, sha256 {Hash})", map.Source, map.Channels.Count, map.Sha256);
        _changed.Release();
        return result;
    }

    public async Task PublishAsync(CancellationToken ct)
    {
        var controller = Controller;
        var status = controller.StatusJson().ToJsonString(Json.Options);
        if (status != _lastStatus)
        {
            await _publisher.PublishAsync($"{Root}/status", status, retain: true, cancellationToken: ct);
            _lastStatus = status;
        }
        foreach (var channel in controller.ChannelsJson())
        {
            var payload = channel.ToJsonString(Json.Options);
            await _publisher.PublishAsync($"{Root}/channels", payload, cancellationToken: ct);
            await _publisher.PublishAsync($"{Root}/channels/{channel["id"]}", payload, retain: true, cancellationToken: ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _link.StartAsync(stoppingToken);
        var started = await Controller.StartAsync(stoppingToken);
        if (!started.Ok) _log.LogWarning("CAEN settings not written yet: {Reason}", started.Error);
        var period = TimeSpan.FromSeconds(_options.PublishPeriodSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A publish that hangs or fails must not silence the crate's status for good: the next
                // change or period publishes again.
                using (var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    bounded.CancelAfter(PublishTimeout);
                    try
                    {
                        await PublishAsync(bounded.Token);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        _log.LogWarning("Publishing the crate status took longer than {Timeout} s; trying again", PublishTimeout.TotalSeconds);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _log.LogError(e, "Publishing the crate status failed; trying again");
                    }
                }
                var published = DateTime.UtcNow;
                // Wait for a change or the period. A change long after the last publish goes out at once;
                // one right after it waits out the minimum interval, collecting the rest of its burst.
                await _changed.WaitAsync(period, stoppingToken);
                var since = DateTime.UtcNow - published;
                if (since < MinInterval) await Task.Delay(MinInterval - since, stoppingToken);
                while (_changed.CurrentCount > 0) await _changed.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Controller.Dispose();
        await _link.DisposeAsync();
    }

    private CaenCrateController NewController(ChannelMap map)
    {
        var controller = new CaenCrateController(map, _link.Access, _options.Prefix, _loggers.CreateLogger<CaenCrateController>());
        controller.Changed += () => _changed.Release();
        return controller;
    }
}
