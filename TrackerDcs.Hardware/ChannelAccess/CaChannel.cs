using System.Net;
using Microsoft.Extensions.Logging;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// A client channel to one process variable. Created by <see cref="CaClient"/>, it searches, connects,
/// and after a lost circuit or a SERVER_DISCONN searches again by itself; its subscriptions follow it
/// to the new circuit (each circuit it is attached to is given them, and subscribes them when it connects).
/// Operations on a channel that is not connected fail with ECA_DISCONN.
/// </summary>
public sealed class CaChannel : IAsyncDisposable
{
    private readonly CaClient _client;
    private readonly Lock _gate = new();
    private readonly List<CaSubscription> _subscriptions = [];
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>The circuit the channel is attached to: connecting on it, or connected.</summary>
    private CaClientCircuit? _circuit;

    internal CaChannel(CaClient client, string name, uint cid)
    {
        _client = client;
        Name = name;
        Cid = cid;
    }

    public string Name { get; }
    internal uint Cid { get; }
    public CaConnectionState State { get; private set; }
    public CaType NativeType { get; private set; }
    public uint ElementCount { get; private set; }
    public CaAccessRights AccessRights { get; private set; }
    public IPEndPoint? Server
    {
        get { lock (_gate) return State == CaConnectionState.Connected ? _circuit?.Server : null; }
    }

    /// <summary>
    /// Raised on every connection state change, on the thread that noticed it (often a circuit's receive
    /// loop): handlers must return quickly and never block on a CA call; await it or queue the work.
    /// </summary>
    public event Action<CaChannel, CaConnectionState>? StateChanged;

    public Task WaitConnectedAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(State == CaConnectionState.Closed, this);
            return _connected.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>READ_NOTIFY of the native type in <paramref name="dbrClass"/> (DBR_TIME by default: value, alarm, time stamp).</summary>
    public async Task<DbrValue> GetAsync(DbrClass dbrClass = DbrClass.Time, CaType? type = null, CancellationToken cancellationToken = default)
    {
        var circuit = Connection();
        if ((AccessRights & CaAccessRights.Read) == 0) throw new CaException(CaStatus.NoReadAccess, $"{Name}: read access denied");
        var dbr = new DbrType(type ?? NativeType, dbrClass);
        var reply = await circuit.ReadAsync(this, dbr, cancellationToken);
        if (!CaStatus.IsSuccess(reply.Header.Parameter1)) throw new CaException(reply.Header.Parameter1, $"{Name}: {CaStatus.Describe(reply.Header.Parameter1)}");
        return DbrCodec.Decode(DbrType.FromCode(reply.Header.DataType), reply.Header.DataCount, reply.Payload);
    }

    /// <summary>DBR_CTRL read: units, precision, display/alarm/control limits, enum strings.</summary>
    public Task<DbrValue> GetControlAsync(CancellationToken cancellationToken = default) =>
        GetAsync(DbrClass.Control, cancellationToken: cancellationToken);

    /// <summary>Put with WRITE_NOTIFY: completes when the server has processed the put.</summary>
    /// <exception cref="CaException">No write access, a refused put (ECA_PUTFAIL), a failed conversion, or a lost connection.</exception>
    public async Task PutAsync(object value, CancellationToken cancellationToken = default)
    {
        var (circuit, dbr, payload, count) = PreparePut(value);
        var reply = await circuit.WriteNotifyAsync(this, dbr, count, payload, cancellationToken);
        if (!CaStatus.IsSuccess(reply.Header.Parameter1)) throw new CaException(reply.Header.Parameter1, $"{Name}: {CaStatus.Describe(reply.Header.Parameter1)}");
    }

    /// <summary>Put without notification (CA_PROTO_WRITE): queued at once; a failure is only logged when the server reports it.</summary>
    public void Put(object value)
    {
        var (circuit, dbr, payload, count) = PreparePut(value);
        circuit.Write(this, dbr, count, payload);
    }

    /// <summary>
    /// Subscribes (EVENT_ADD) for DBR_TIME updates by default. Completes once the server has answered with
    /// the first update (or refused it) when the channel is connected; a subscription made while disconnected starts at the next connection.
    /// A <paramref name="deadband"/> drops value updates closer than it to the last delivered value
    /// (alarm changes are always delivered). <paramref name="onUpdate"/> runs on the circuit's receive
    /// loop: it must return quickly and never block on a CA call.
    /// </summary>
    public async Task<CaSubscription> SubscribeAsync(Action<DbrValue> onUpdate, CaEventMask mask = CaEventMask.Value | CaEventMask.Alarm,
        double deadband = 0, DbrClass dbrClass = DbrClass.Time, CancellationToken cancellationToken = default)
    {
        var subscription = new CaSubscription(this, _client.NextId(), onUpdate, mask, dbrClass, deadband, _client.Logger);
        bool connected;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(State == CaConnectionState.Closed, this);
            _subscriptions.Add(subscription);
            connected = State == CaConnectionState.Connected;
            _circuit?.Subscribe(this, subscription);
        }
        if (connected) await subscription.FirstUpdate.WaitAsync(cancellationToken);
        return subscription;
    }

    internal void Unsubscribe(CaSubscription subscription)
    {
        lock (_gate)
        {
            if (!_subscriptions.Remove(subscription)) return;
            _circuit?.Unsubscribe(subscription);
        }
    }

    private CaClientCircuit Connection()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(State == CaConnectionState.Closed, this);
            return _circuit is { } circuit && State == CaConnectionState.Connected
                ? circuit
                : throw new CaException(CaStatus.Disconnected, $"{Name} is not connected");
        }
    }

    private (CaClientCircuit, DbrType, byte[], uint) PreparePut(object value)
    {
        var circuit = Connection();
        if ((AccessRights & CaAccessRights.Write) == 0) throw new CaException(CaStatus.NoWriteAccess, $"{Name}: write access denied");
        var (type, values) = CaValueConverter.FromClr(value);
        var dbr = new DbrType(type, DbrClass.Plain);
        var (payload, count) = DbrCodec.Encode(dbr, new DbrValue(type, values));
        return (circuit, dbr, payload, count);
    }

    /// <summary>
    /// A search found the channel on <paramref name="circuit"/>'s server: CREATE_CHAN there, and its subscriptions
    /// handed over to be subscribed when it connects. False when the circuit is already closing (search again);
    /// a channel closed meanwhile is not attached.
    /// </summary>
    internal bool AttachTo(CaClientCircuit circuit)
    {
        lock (_gate)
        {
            if (State == CaConnectionState.Closed) return true;
            if (!circuit.Attach(this)) return false;
            _circuit = circuit;
            foreach (var subscription in _subscriptions) circuit.Subscribe(this, subscription);
            return true;
        }
    }

    internal void OnAccessRights(CaAccessRights rights) => AccessRights = rights;

    /// <summary>CREATE_CHAN reply: the channel is connected (its circuit has sent its subscriptions' EVENT_ADDs).</summary>
    /// <exception cref="CaProtocolException">The channel was already connected: the server replied twice.</exception>
    internal void OnConnected(CaType type, uint count)
    {
        lock (_gate)
        {
            if (CaChannelStates.Apply(State, CaChannelEvent.Created, Name) is not { } next) return;
            (NativeType, ElementCount, State) = (type, count, next);
            _connected.TrySetResult();
            // Updates on the new circuit start afresh: the first one passes any dead band.
            foreach (var subscription in _subscriptions) subscription.Restart();
        }
        Raise(CaConnectionState.Connected);
    }

    /// <summary>An update for one of this channel's subscriptions (none when it was cancelled meanwhile).</summary>
    internal void Deliver(uint subscriptionId, CaMessage update)
    {
        CaSubscription? subscription;
        lock (_gate) subscription = _subscriptions.Find(s => s.Id == subscriptionId);
        subscription?.Deliver(update);
    }

    /// <summary>
    /// Connection attempts that failed since the channel was last connected (a circuit that did not
    /// connect, CREATE_CH_FAIL): the client waits longer before each new search. Guarded by the client.
    /// </summary>
    internal int FailedAttempts { get; set; }

    /// <summary>
    /// The circuit died or the server disconnected the channel: it becomes Disconnected (if it was
    /// connected) and will search again. Returns whether it was connected.
    /// </summary>
    internal bool OnLost()
    {
        CaConnectionState before, next;
        lock (_gate)
        {
            before = State;
            if (CaChannelStates.Apply(State, CaChannelEvent.Lost, Name) is not { } after) return false;
            (_circuit, State, next) = (null, after, after);
            if (_connected.Task.IsCompleted) _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        if (next != before) Raise(next);
        return before == CaConnectionState.Connected;
    }

    private void Raise(CaConnectionState state)
    {
        try { StateChanged?.Invoke(this, state); }
        catch (Exception e) { _client.Logger.LogError(e, "A StateChanged handler of {Channel} threw", Name); }
    }

    /// <summary>Clears the channel on the server (CLEAR_CHANNEL) and stops searching for it.</summary>
    public ValueTask DisposeAsync()
    {
        CaClientCircuit? circuit;
        lock (_gate)
        {
            if (CaChannelStates.Apply(State, CaChannelEvent.Closed, Name) is not { } next) return ValueTask.CompletedTask;
            circuit = _circuit;
            State = next;
            _circuit = null;
            _subscriptions.Clear();
            _connected.TrySetCanceled(); // a waiter sees the close as a cancellation; nothing is left unobserved
        }
        _client.Forget(this);
        circuit?.Detach(this);
        Raise(CaConnectionState.Closed);
        return ValueTask.CompletedTask;
    }
}
