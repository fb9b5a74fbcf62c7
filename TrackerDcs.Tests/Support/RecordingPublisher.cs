using TrackerDcs.Web.Common;

namespace TrackerDcs.Tests.Support;

/// <summary>Stands in for the broker in in-process tests: keeps every publish; throws while <see cref="Failure"/> is set.</summary>
public sealed class RecordingPublisher : IMqttPublisher
{
    private readonly List<Published> _messages = [];

    public sealed record Published(string Topic, string Payload, bool Retain, byte[]? CorrelationData);

    /// <summary>When set, every publish throws it (a broker that refuses), after recording nothing.</summary>
    public Exception? Failure { get; set; }

    public IReadOnlyList<Published> Messages { get { lock (_messages) return [.. _messages]; } }

    public IReadOnlyList<string> Payloads(string topic) => [.. Messages.Where(m => m.Topic == topic).Select(m => m.Payload)];

    public Task PublishAsync(string topic, string payload, bool retain = false, byte[]? correlationData = null, CancellationToken cancellationToken = default)
    {
        if (Failure is { } failure) throw failure;
        lock (_messages) _messages.Add(new(topic, payload, retain, correlationData));
        return Task.CompletedTask;
    }
}
