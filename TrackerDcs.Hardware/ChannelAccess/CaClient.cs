using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// A Channel Access client context: searches for channels by UDP (and over TCP at name servers),
/// keeps one virtual circuit per server shared by its channels, and listens for beacons so a
/// restarted server is found again at once. Three tasks serve every channel: search sender, search
/// reply receiver, beacon receiver; each circuit adds a reader and a heartbeat.
/// </summary>
public sealed class CaClient : IAsyncDisposable
{
    private const int SearchDatagramBytes = 1024;
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, CaChannel> _channels = new();
    private readonly Dictionary<CaChannel, SearchSchedule> _searching = new();
    private readonly Dictionary<IPEndPoint, CaClientCircuit> _circuits = new();
    private readonly Dictionary<IPEndPoint, CaClientCircuit> _nameServers = new();
    private readonly Dictionary<IPEndPoint, uint> _beaconIds = new();
    private readonly IReadOnlyList<IPEndPoint> _searchDestinations;
    private readonly IReadOnlyList<IPEndPoint> _nameServerEndPoints;
    private readonly Socket _searchSocket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket? _beaconSocket;
    private readonly SemaphoreSlim _wakeSearch = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loops;
    private readonly long _started;
    private uint _nextCid;
    private int _nextId;
    private int _searchesSent;

    /// <summary>When a channel is next searched for, on the client's clock (<see cref="Now"/>), and the interval after that.</summary>
    private sealed class SearchSchedule(TimeSpan dueAt, TimeSpan period)
    {
        public TimeSpan DueAt { get; set; } = dueAt;
        public TimeSpan Period { get; set; } = period;
    }

    /// <param name="time">The clock of search periods, connect timeouts and echoes; the system clock by default.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public CaClient(ChannelAccessOptions options, ILogger<CaClient>? logger = null, TimeProvider? time = null)
    {
        options.Validate();
        Options = options;
        Logger = logger ?? NullLogger<CaClient>.Instance;
        Time = time ?? TimeProvider.System;
        _started = Time.GetTimestamp();
        ClientName = options.ClientName is { Length: > 0 } user ? user : Environment.UserName;
        HostName = options.HostName is { Length: > 0 } host ? host : Environment.MachineName;
        _searchDestinations = options.SearchDestinations();
        _nameServerEndPoints = options.NameServerEndPoints();
        _searchSocket.EnableBroadcast = true;
        _searchSocket.Bind(new IPEndPoint(IPAddress.Any, 0));
        _beaconSocket = BindBeaconListener(options.EffectiveRepeaterPort);
        if (_searchDestinations.Count == 0 && _nameServerEndPoints.Count == 0)
            Logger.LogWarning("Channel Access: no search address and no name server configured (ECA_NOSEARCHADDR)");
        _loops = Task.WhenAll(
            Task.Run(SearchLoop),
            Task.Run(SearchReplyLoop),
            _beaconSocket is null ? Task.CompletedTask : Task.Run(() => BeaconLoop(_beaconSocket)));
    }

    public ChannelAccessOptions Options { get; }
    internal ILogger Logger { get; }
    internal TimeProvider Time { get; }
    /// <summary>SEARCH requests sent so far (by UDP and to name servers): lets a test know a search went out unanswered.</summary>
    internal int SearchesSent => Volatile.Read(ref _searchesSent);
    private TimeSpan Now => Time.GetElapsedTime(_started);
    internal string ClientName { get; }
    internal string HostName { get; }

    /// <summary>
    /// Creates a channel and starts searching for it. <paramref name="onStateChanged"/> is attached to
    /// <see cref="CaChannel.StateChanged"/> before the search starts, so not even the first connection is missed.
    /// </summary>
    public CaChannel CreateChannel(string name, Action<CaChannel, CaConnectionState>? onStateChanged = null)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length >= CaMessage.MaxStringSize * 16)
            throw new ArgumentException($"'{name}' is not a PV name", nameof(name));
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        CaChannel channel;
        lock (_gate)
        {
            channel = new CaChannel(this, name, ++_nextCid);
            channel.StateChanged += onStateChanged;
            _channels[channel.Cid] = channel;
            ScheduleSearch(channel);
        }
        _wakeSearch.Release();
        return channel;
    }

    /// <summary>Creates a channel and waits until it is connected; on cancellation the channel is closed.</summary>
    public async Task<CaChannel> ConnectAsync(string name, CancellationToken cancellationToken = default)
    {
        var channel = CreateChannel(name);
        try
        {
            await channel.WaitConnectedAsync(cancellationToken);
            return channel;
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
    }

    internal uint NextId() => (uint)Interlocked.Increment(ref _nextId);

    /// <summary>The channel of a CID, while it is open.</summary>
    internal CaChannel? ChannelOf(uint cid)
    {
        lock (_gate) return _channels.GetValueOrDefault(cid);
    }

    private void ScheduleSearch(CaChannel channel, TimeSpan delay = default) =>
        _searching[channel] = new SearchSchedule(Now + delay, Options.InitialSearchPeriod);

    internal void Forget(CaChannel channel)
    {
        lock (_gate)
        {
            _channels.Remove(channel.Cid);
            _searching.Remove(channel);
        }
    }

    /// <summary>
    /// A channel whose circuit ended or that the server disconnected searches again at once. One that
    /// never got connected (its circuit did not connect, or CREATE_CH_FAIL) waits first, twice as long
    /// after each failure up to <see cref="ChannelAccessOptions.MaxSearchPeriod"/>, so a server that
    /// answers searches but refuses circuits is not hammered.
    /// </summary>
    internal void OnChannelLost(CaChannel channel)
    {
        var wasConnected = channel.OnLost();
        lock (_gate)
        {
            if (!_channels.ContainsKey(channel.Cid)) return;
            channel.FailedAttempts = wasConnected ? 0 : Math.Min(channel.FailedAttempts + 1, 20);
            var delay = wasConnected ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(
                Options.InitialSearchPeriod.Ticks << channel.FailedAttempts, Options.MaxSearchPeriod.Ticks));
            ScheduleSearch(channel, delay);
        }
        _wakeSearch.Release();
    }

    internal void OnCircuitClosed(CaClientCircuit circuit, IEnumerable<CaChannel> channels)
    {
        lock (_gate)
        {
            var circuits = circuit.IsNameServer ? _nameServers : _circuits;
            if (circuits.GetValueOrDefault(circuit.Server) == circuit) circuits.Remove(circuit.Server);
        }
        foreach (var channel in channels) OnChannelLost(channel);
    }

    /// <summary>
    /// A search reply: data type = server TCP port, p1 = server address (0xFFFFFFFF, or 0 from old servers: the sender's), p2 = CID.
    /// The first reply wins; the channel is created on the (possibly new) circuit to that server.
    /// </summary>
    internal void OnSearchReply(CaMessage reply, IPAddress sender)
    {
        var h = reply.Header;
        var address = h.Parameter1 is CaMessage.SenderAddress or 0
            ? sender
            : new IPAddress(IPAddress.HostToNetworkOrder((int)h.Parameter1) & 0xFFFFFFFFL);
        var server = new IPEndPoint(address, h.DataType);
        while (true)
        {
            CaClientCircuit circuit;
            CaChannel? channel;
            lock (_gate)
            {
                if (_stop.IsCancellationRequested || !_channels.TryGetValue(h.Parameter2, out channel) || !_searching.Remove(channel)) return;
                if (!_circuits.TryGetValue(server, out circuit!))
                    _circuits[server] = circuit = new CaClientCircuit(this, server, isNameServer: false);
            }
            if (channel.AttachTo(circuit)) return;
            lock (_gate)
            {
                if (_circuits.GetValueOrDefault(server) == circuit) _circuits.Remove(server);
                ScheduleSearch(channel);
            }
        }
    }

    /// <summary>
    /// Sends due searches: datagrams of VERSION then SEARCH messages to every destination, and SEARCH
    /// over TCP to every name server. Each unanswered search doubles that channel's period up to
    /// <see cref="ChannelAccessOptions.MaxSearchPeriod"/>.
    /// </summary>
    private async Task SearchLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            var due = new List<CaMessage>();
            var wait = Timeout.InfiniteTimeSpan;
            lock (_gate)
            {
                var now = Now;
                foreach (var (channel, schedule) in _searching)
                {
                    if (schedule.DueAt <= now)
                    {
                        due.Add(CaMessage.Search(channel.Name, channel.Cid));
                        schedule.DueAt = now + schedule.Period;
                        schedule.Period = TimeSpan.FromTicks(Math.Min(schedule.Period.Ticks * 2, Options.MaxSearchPeriod.Ticks));
                    }
                    var untilDue = schedule.DueAt - now;
                    if (wait == Timeout.InfiniteTimeSpan || untilDue < wait) wait = untilDue;
                }
            }
            if (due.Count > 0)
            {
                await SendSearches(due);
                SendToNameServers(due);
                Interlocked.Add(ref _searchesSent, due.Count);
            }
            if (!await WaitForWakeAsync(wait)) return;
        }
    }

    /// <summary>Waits for <paramref name="wait"/> on the client's clock, or until woken; false once the client is disposed.</summary>
    private async Task<bool> WaitForWakeAsync(TimeSpan wait)
    {
        using var timeout = wait == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(wait, Time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, timeout.Token);
        try { await _wakeSearch.WaitAsync(either.Token); }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested) { }
        catch (OperationCanceledException) { return false; }
        return true;
    }

    private async Task SendSearches(List<CaMessage> searches)
    {
        var version = CaMessage.Version();
        var datagram = new List<byte>(version.ToBytes());
        foreach (var search in searches)
        {
            if (datagram.Count + search.EncodedLength > SearchDatagramBytes && datagram.Count > version.EncodedLength)
            {
                await SendDatagram(datagram.ToArray());
                datagram = new List<byte>(version.ToBytes());
            }
            datagram.AddRange(search.ToBytes());
        }
        await SendDatagram(datagram.ToArray());
    }

    private async Task SendDatagram(byte[] datagram)
    {
        foreach (var destination in _searchDestinations)
        {
            try { await _searchSocket.SendToAsync(datagram, SocketFlags.None, destination, _stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException e) { Logger.LogDebug("Search to {Destination} failed: {Reason}", destination, e.Message); }
        }
    }

    private void SendToNameServers(List<CaMessage> searches)
    {
        foreach (var endPoint in _nameServerEndPoints)
        {
            CaClientCircuit circuit;
            lock (_gate)
            {
                if (_stop.IsCancellationRequested) return;
                if (!_nameServers.TryGetValue(endPoint, out circuit!))
                    _nameServers[endPoint] = circuit = new CaClientCircuit(this, endPoint, isNameServer: true);
            }
            foreach (var search in searches) circuit.Send(search);
        }
    }

    private Task SearchReplyLoop() => ReceiveDatagramsAsync(_searchSocket, (message, sender) =>
    {
        if (message.Command == CaCommand.Search) OnSearchReply(message, sender);
    });

    /// <summary>Hands every message of every datagram the socket receives to <paramref name="handle"/>, with its sender, until the client is disposed.</summary>
    private async Task ReceiveDatagramsAsync(Socket socket, Action<CaMessage, IPAddress> handle)
    {
        var buffer = new byte[CaMessageReader.MaxDatagram];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try { received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            var sender = ((IPEndPoint)received.RemoteEndPoint).Address;
            List<CaMessage> messages;
            try { messages = CaMessageReader.ReadDatagram(buffer.AsSpan(0, received.ReceivedBytes)); }
            catch (CaProtocolException e)
            {
                Logger.LogDebug("Ignoring a malformed datagram from {Sender}: {Reason}", sender, e.Message);
                continue;
            }
            foreach (var message in messages) handle(message, sender);
        }
    }

    /// <summary>
    /// Beacons arrive on the repeater port. Several CA clients on one host share it (SO_REUSEADDR);
    /// when it cannot be bound the client still finds restarted servers, by its search back-off only.
    /// </summary>
    private Socket? BindBeaconListener(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return socket;
        }
        catch (SocketException e)
        {
            Logger.LogWarning("Cannot listen for beacons on UDP {Port} ({Reason}); restarted servers are found by periodic search", port, e.Message);
            socket.Dispose();
            return null;
        }
    }

    /// <summary>
    /// "Beacons": a server not heard before, or a beacon ID that does not follow the last one (the server
    /// restarted), resets the search period of every unresolved channel and searches at once.
    /// </summary>
    private Task BeaconLoop(Socket socket) => ReceiveDatagramsAsync(socket, (message, sender) =>
    {
        if (message.Command == CaCommand.RsrvIsUp) OnBeacon(new IPEndPoint(sender, (int)message.Header.DataCount), message.Header.Parameter1);
    });

    private void OnBeacon(IPEndPoint server, uint beaconId)
    {
        bool anomaly;
        lock (_gate)
        {
            anomaly = !_beaconIds.TryGetValue(server, out var last) || beaconId != last + 1;
            _beaconIds[server] = beaconId;
            if (!anomaly || _searching.Count == 0) return;
            var now = Now;
            foreach (var schedule in _searching.Values)
                (schedule.DueAt, schedule.Period) = (now, Options.InitialSearchPeriod);
        }
        Logger.LogDebug("Beacon anomaly from {Server}: searching again now", server);
        _wakeSearch.Release();
    }

    /// <summary>Closes every circuit and socket; channels become Closed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        List<CaChannel> channels;
        List<CaClientCircuit> circuits;
        lock (_gate)
        {
            _stop.Cancel();
            channels = _channels.Values.ToList();
            circuits = _circuits.Values.Concat(_nameServers.Values).ToList();
        }
        foreach (var channel in channels) await channel.DisposeAsync();
        foreach (var circuit in circuits) circuit.Abort("client disposed");
        _searchSocket.Dispose();
        _beaconSocket?.Dispose();
        await Task.WhenAll(circuits.Select(c => c.Completion)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _loops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
