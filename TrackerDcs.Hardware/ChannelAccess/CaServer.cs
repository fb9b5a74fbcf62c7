using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// A Channel Access server (a small IOC) hosting <see cref="ProcessVariable"/>s: answers UDP searches,
/// serves TCP virtual circuits and sends beacons to loopback. Stop and Start again to simulate an IOC
/// restart; clients see SERVER_DISCONN for their channels, then the new beacons.
/// </summary>
public sealed class CaServer : IAsyncDisposable
{
    private readonly Func<string, ProcessVariable?> _lookup;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<CaServerCircuit, byte> _circuits = new();
    private readonly Lock _gate = new();
    private Socket? _udp;
    private Socket? _beacons;
    private TcpListener? _listener;
    private CancellationTokenSource? _run;
    private Task _loops = Task.CompletedTask;

    public CaServer(IEnumerable<ProcessVariable> pvs, CaServerOptions? options = null, ILogger<CaServer>? logger = null)
        : this(Index(pvs), options, logger)
    {
    }

    /// <param name="lookup">Returns the PV of a name, or null when this server does not host it.</param>
    public CaServer(Func<string, ProcessVariable?> lookup, CaServerOptions? options = null, ILogger<CaServer>? logger = null)
    {
        _lookup = lookup;
        Options = options ?? new CaServerOptions();
        _logger = logger ?? NullLogger<CaServer>.Instance;
    }

    private static Func<string, ProcessVariable?> Index(IEnumerable<ProcessVariable> pvs)
    {
        var byName = pvs.ToDictionary(pv => pv.Name);
        return name => byName.GetValueOrDefault(name);
    }

    public CaServerOptions Options { get; }
    public bool IsRunning => _run is not null;
    /// <summary>The UDP search port actually bound (differs from the options when they ask for port 0).</summary>
    public int SearchPort { get; private set; }
    /// <summary>The TCP port announced in search replies and beacons.</summary>
    public int TcpPort { get; private set; }
    public int CircuitCount => _circuits.Count;
    /// <summary>Channels open on all circuits.</summary>
    public int ChannelCount => _circuits.Keys.Sum(c => c.ChannelCount);
    /// <summary>The connected clients as "user@host", from their CLIENT_NAME and HOST_NAME.</summary>
    public IReadOnlyList<string> Clients => _circuits.Keys.Select(c => $"{c.ClientName}@{c.HostName}").ToList();

    internal ProcessVariable? Find(string name) => _lookup(name);
    internal ILogger Logger => _logger;

    /// <summary>Binds the search, circuit and beacon sockets and starts serving.</summary>
    /// <exception cref="SocketException">A port is taken.</exception>
    public void Start()
    {
        lock (_gate)
        {
            if (_run is not null) return;
            var listener = new TcpListener(Options.BindAddress, Options.TcpPort != 0 ? Options.TcpPort : Options.Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var beacons = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                listener.Start();
                TcpPort = ((IPEndPoint)listener.LocalEndpoint).Port;
                // No SO_REUSEADDR on the search port: a second server on the same port would share it and
                // receive none of the unicast searches, so it is refused instead.
                udp.Bind(new IPEndPoint(Options.BindAddress, Options.Port != 0 ? Options.Port : TcpPort));
                SearchPort = ((IPEndPoint)udp.LocalEndPoint!).Port;
                beacons.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }
            catch
            {
                listener.Stop();
                udp.Dispose();
                beacons.Dispose();
                throw;
            }
            (_listener, _udp, _beacons, _run) = (listener, udp, beacons, new CancellationTokenSource());
            var token = _run.Token;
            _loops = Task.WhenAll(
                Task.Run(() => AcceptLoop(listener, token)),
                Task.Run(() => SearchLoop(udp, token)),
                Task.Run(() => BeaconLoop(beacons, token)));
            _logger.LogInformation("CA server on {Address}: search UDP {SearchPort}, circuits TCP {TcpPort}",
                Options.BindAddress, SearchPort, TcpPort);
        }
    }

    /// <summary>Sends SERVER_DISCONN for every channel, closes every circuit and socket.</summary>
    public async Task StopAsync()
    {
        CancellationTokenSource? run;
        lock (_gate)
        {
            run = _run;
            _run = null;
            if (run is null) return;
            run.Cancel();
            _listener!.Stop();
            _udp!.Dispose();
            _beacons!.Dispose();
        }
        await Task.WhenAll(_circuits.Keys.Select(c => c.CloseAsync(disconnectChannels: true)));
        try { await _loops; }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        run.Dispose();
        _logger.LogInformation("CA server stopped");
    }

    /// <summary>Stop then Start: the fault a restarting IOC causes. Clients find the server again by its beacons.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        Start();
    }

    /// <summary>Tells every client connected to <paramref name="pvName"/> that the channel is gone (CA_PROTO_SERVER_DISCONN).</summary>
    public int DisconnectChannels(string pvName) => _circuits.Keys.Sum(c => c.DisconnectChannels(pvName));

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task AcceptLoop(TcpListener listener, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await listener.AcceptSocketAsync(token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            socket.NoDelay = true;
            var circuit = new CaServerCircuit(this, socket);
            _circuits[circuit] = 0;
            _ = Task.Run(async () =>
            {
                await circuit.RunAsync(token);
                _circuits.TryRemove(circuit, out _);
            }, CancellationToken.None);
        }
    }

    /// <summary>
    /// "Name resolution": a search datagram holds VERSION then SEARCH messages; the reply datagram is
    /// VERSION then one SEARCH reply per hosted name (p1 = 0xFFFFFFFF: use the sender address).
    /// NOT_FOUND only when the client asked for it (DO_REPLY), as for a unicast search.
    /// </summary>
    private async Task SearchLoop(Socket udp, CancellationToken token)
    {
        var buffer = new byte[CaMessageReader.MaxDatagram];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!token.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try { received = await udp.ReceiveFromAsync(buffer, SocketFlags.None, any, token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            List<CaMessage> requests;
            try { requests = CaMessageReader.ReadDatagram(buffer.AsSpan(0, received.ReceivedBytes)); }
            catch (CaProtocolException e)
            {
                _logger.LogDebug("Ignoring a malformed datagram from {Peer}: {Reason}", received.RemoteEndPoint, e.Message);
                continue;
            }
            var replies = requests.Where(m => m.Command == CaCommand.Search).Select(SearchReply).OfType<CaMessage>().ToList();
            if (replies.Count == 0) continue;
            replies.Insert(0, CaMessage.Version());
            var datagram = replies.SelectMany(m => m.ToBytes()).ToArray();
            try { await udp.SendToAsync(datagram, SocketFlags.None, received.RemoteEndPoint, token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException e) { _logger.LogDebug("Search reply to {Peer} failed: {Reason}", received.RemoteEndPoint, e.Message); }
        }
    }

    internal CaMessage? SearchReply(CaMessage search)
    {
        var cid = search.Header.Parameter1;
        if (Find(search.PayloadString) is not null) return CaMessage.SearchReply((ushort)TcpPort, CaMessage.SenderAddress, cid);
        return search.Header.DataType == CaMessage.DoReply ? CaMessage.NotFound(cid) : null;
    }

    /// <summary>
    /// "Beacons": RSRV_IS_UP with an increasing beacon ID, 20 ms apart at start-up and doubling up to
    /// the beacon period, so clients notice a (re)started server at once. Sent to loopback only.
    /// </summary>
    private async Task BeaconLoop(Socket socket, CancellationToken token)
    {
        var destination = new IPEndPoint(IPAddress.Loopback, Options.BeaconPort != 0 ? Options.BeaconPort : SearchPort + 1);
        var address = Options.BindAddress.Equals(IPAddress.Any) ? IPAddress.Loopback : Options.BindAddress;
        var addressValue = (uint)IPAddress.NetworkToHostOrder(BitConverter.ToInt32(address.GetAddressBytes()));
        var delay = TimeSpan.FromMilliseconds(20);
        for (uint id = 0; !token.IsCancellationRequested; id++)
        {
            try
            {
                await socket.SendToAsync(CaMessage.Beacon((ushort)TcpPort, id, addressValue).ToBytes(), SocketFlags.None, destination, token);
                await Task.Delay(delay, token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { await Task.Delay(delay, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.BeaconPeriod.Ticks));
        }
    }
}
