using Microsoft.Extensions.Logging;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// A monitor (EVENT_ADD) on a channel. It survives reconnections: every circuit the channel connects
/// through sends a new EVENT_ADD for it. Dispose cancels it (EVENT_CANCEL).
/// </summary>
public sealed class CaSubscription : IDisposable
{
    private readonly CaChannel _channel;
    private readonly Action<DbrValue> _onUpdate;
    private readonly double _deadband;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _firstUpdate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DbrValue? _lastDelivered;

    internal CaSubscription(CaChannel channel, uint id, Action<DbrValue> onUpdate, CaEventMask mask, DbrClass dbrClass, double deadband, ILogger logger)
    {
        (_channel, Id, _onUpdate, Mask, Class, _deadband, _logger) = (channel, id, onUpdate, mask, dbrClass, deadband, logger);
    }

    internal uint Id { get; }
    public CaEventMask Mask { get; }
    public DbrClass Class { get; }
    internal Task FirstUpdate => _firstUpdate.Task;

    /// <summary>The channel connected again: the next update is delivered whatever the dead band.</summary>
    internal void Restart() => _lastDelivered = null;

    /// <summary>An EVENT_ADD reply: p1 is the ECA status, the payload the DBR structure.</summary>
    internal void Deliver(CaMessage update)
    {
        if (!CaStatus.IsSuccess(update.Header.Parameter1))
        {
            _logger.LogWarning("Monitor of {Channel}: {Status}", _channel.Name, CaStatus.Describe(update.Header.Parameter1));
            _firstUpdate.TrySetResult();
            return;
        }
        DbrValue value;
        try
        {
            value = DbrCodec.Decode(DbrType.FromCode(update.Header.DataType), update.Header.DataCount, update.Payload);
        }
        catch (Exception e) when (e is CaException or CaProtocolException)
        {
            // The frame itself was sound (its header gave its length): drop this update, keep the circuit.
            _logger.LogWarning("Monitor of {Channel}: undecodable update from the server: {Reason}", _channel.Name, e.Message);
            return;
        }
        if (!Passes(value)) return;
        _lastDelivered = value;
        try { _onUpdate(value); }
        catch (Exception e) { _logger.LogError(e, "A monitor handler of {Channel} threw", _channel.Name); }
        _firstUpdate.TrySetResult();
    }

    private bool Passes(DbrValue value)
    {
        if (_deadband <= 0 || _lastDelivered is not { } last || value.Count != 1 || last.Count != 1
            || value.Type == CaType.String || last.Severity != value.Severity || last.Status != value.Status)
            return true;
        return Math.Abs(value.ToDouble() - last.ToDouble()) >= _deadband;
    }

    public void Dispose() => _channel.Unsubscribe(this);
}
