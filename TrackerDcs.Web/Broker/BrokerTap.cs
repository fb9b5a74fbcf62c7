using System.Buffers;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Every publish the broker routes once the gate has allowed it: external clients' and the process's own
/// (messages injected by <see cref="MqttPublisher"/> pass <c>InterceptingPublishAsync</c> too, carrying the
/// process's session items), so raising it from <see cref="BrokerSecurity"/> alone sees each message once.
/// Observers run on the broker's receive path: they must only copy what they need and hand it on.
/// </summary>
public sealed class BrokerTap
{
    public delegate void Observer(string topic, ReadOnlySequence<byte> payload);

    private Observer[] _observers = [];

    public void Subscribe(Observer observer)
    {
        lock (this) _observers = [.. _observers, observer];
    }

    internal void Raise(string topic, ReadOnlySequence<byte> payload)
    {
        foreach (var observer in Volatile.Read(ref _observers)) observer(topic, payload);
    }
}
