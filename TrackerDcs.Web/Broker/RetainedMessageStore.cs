using System.Buffers;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Keeps the broker's retained messages in the data directory so they survive a restart.
/// Changes are written at most every <see cref="FlushInterval"/> (status topics change often) to a
/// temporary file renamed over the old one, so a crash leaves either the old or the new set, never half.
/// </summary>
public sealed class RetainedMessageStore(DataDirectory data, ILogger<RetainedMessageStore> log) : BackgroundService
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(500);
    private readonly string _path = data.File("retained.json");
    private readonly Lock _gate = new();
    private List<MqttApplicationMessage>? _pending;

    private sealed record Stored(string Topic, string Payload, int Qos, string? ContentType, string? ResponseTopic, uint MessageExpiry);

    public void Attach(MqttServer server)
    {
        server.LoadingRetainedMessageAsync += e =>
        {
            e.LoadedRetainedMessages = Load();
            log.LogInformation("Loaded {Count} retained messages from {Path}", e.LoadedRetainedMessages.Count, _path);
            return Task.CompletedTask;
        };
        server.RetainedMessageChangedAsync += e =>
        {
            lock (_gate) _pending = e.StoredRetainedMessages.ToList();
            return Task.CompletedTask;
        };
        server.RetainedMessagesClearedAsync += _ =>
        {
            lock (_gate) _pending = [];
            return Task.CompletedTask;
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) Flush();
        }
        catch (OperationCanceledException) { }
        Flush();
    }

    private List<MqttApplicationMessage> Load()
    {
        if (!File.Exists(_path)) return [];
        try
        {
            var stored = JsonSerializer.Deserialize<List<Stored>>(File.ReadAllText(_path)) ?? [];
            return stored.Select(s => new MqttApplicationMessageBuilder()
                .WithTopic(s.Topic)
                .WithPayload(Convert.FromBase64String(s.Payload))
                .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)s.Qos)
                .WithContentType(s.ContentType)
                .WithResponseTopic(s.ResponseTopic)
                .WithMessageExpiryInterval(s.MessageExpiry)
                .WithRetainFlag()
                .Build()).ToList();
        }
        catch (Exception e) when (e is JsonException or FormatException or IOException)
        {
            // Keep the unreadable file for a human; start with none rather than not at all.
            var aside = _path + ".unreadable";
            File.Copy(_path, aside, overwrite: true);
            log.LogError("Retained messages in {Path} are unreadable ({Error}); kept as {Aside}, starting with none", _path, e.Message, aside);
            return [];
        }
    }

    private void Flush()
    {
        List<MqttApplicationMessage>? pending;
        lock (_gate)
        {
            pending = _pending;
            _pending = null;
        }
        if (pending is null) return;
        var stored = pending.Select(m => new Stored(m.Topic, Convert.ToBase64String(m.Payload.ToArray()),
            (int)m.QualityOfServiceLevel, m.ContentType, m.ResponseTopic, m.MessageExpiryInterval)).ToList();
        try
        {
            var temporary = _path + ".tmp";
            // Owner-only (0600), as everything in the data directory; the rename keeps the mode.
            using (var file = new FileStream(temporary, DataDirectory.PrivateWrite())) JsonSerializer.Serialize(file, stored);
            File.Move(temporary, _path, overwrite: true);
        }
        catch (IOException e)
        {
            lock (_gate) _pending ??= pending; // try again at the next tick
            log.LogError("Could not save retained messages to {Path}: {Error}", _path, e.Message);
        }
    }
}
