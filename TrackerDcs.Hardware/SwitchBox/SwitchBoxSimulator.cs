using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>
/// A simulated switch box speaking the real protocol, on a TCP listener bound to 127.0.0.1 and/or a serial
/// device (one end of a socat pty pair). Used in demo mode and by the tests. It powers up with every relay open.
/// <para>
/// Like the real box's firmware it is a relay board that does what each line says and enforces none of the
/// seed's rules: the seed enforced them in its flows, and the driver does now. That is why "nothing reaches
/// the box when a command is refused" matters, and why a status that breaks a rule can happen at all. The
/// only things it will not do are the impossible ones: a channel outside 1..48 or a line it does not know
/// switches nothing. Every line it reads, known or not, is answered with one status line: its state after it.
/// </para>
/// Faults can be injected: a hung firmware (stops answering), noise instead of answers, answers lost or
/// sent twice, a channel relay stuck on, a pulled cable.
/// </summary>
public sealed class SwitchBoxSimulator : IAsyncDisposable, ISimulatedInstrument
{
    private const string Name = "switch box simulator";

    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<IAsyncDisposable> _hosts = [];
    private SwitchBoxStatus _status = SwitchBoxStatus.AllOff;
    private ulong _stuckOn;
    private bool _hung;
    private int _garbageAnswers;
    private int _droppedAnswers;
    private int _repeatedAnswers;
    private int _commandsReceived;
    private int _queriesReceived;
    private volatile bool _unplugged;

    public SwitchBoxSimulator(ILogger? logger = null) => _logger = logger ?? NullLogger.Instance;

    /// <summary>Listens on 127.0.0.1 (never the lab network: a demo must not answer for the real box). Returns the bound port.</summary>
    public int ListenTcp(int port = 0)
    {
        var host = new SimulatorTcpHost(this, port, Name, _logger);
        lock (_gate) _hosts.Add(host);
        return host.EndPoint.Port;
    }

    /// <summary>
    /// Answers on a serial device, by default at the box's 115200 8N1. The simulator keeps (re)opening the
    /// path, so a socat pair that is killed and started again with the same link names is picked up again.
    /// </summary>
    public void ServeSerial(string devicePath, SerialSettings? settings = null)
    {
        var host = new SimulatorSerialHost(this, devicePath, settings ?? SwitchBoxProtocol.Serial, Name, _logger);
        lock (_gate) _hosts.Add(host);
    }

    // ---- What the box is doing, for tests and a demo panel ----

    /// <summary>The relays as they are now (what STATUS? would answer).</summary>
    public SwitchBoxStatus Status { get { lock (_gate) return _status; } }

    /// <summary>How many switching command lines (every line but STATUS?) reached the box, known or not.</summary>
    public int CommandsReceived { get { lock (_gate) return _commandsReceived; } }

    /// <summary>How many STATUS? lines reached the box.</summary>
    public int QueriesReceived { get { lock (_gate) return _queriesReceived; } }

    /// <summary>Every line that reaches the box, as received (not while unplugged), on the thread serving the link.</summary>
    public event Action<string>? LineReceived;

    /// <summary>Someone sets the relays by hand (the box's own buttons), as the next STATUS? will report them.</summary>
    public void SetRelays(SwitchBoxStatus status) { lock (_gate) _status = Stuck(status); }

    // ---- Fault injection ----

    /// <summary>
    /// The relay of a channel welds shut: the channel is on now and stays on whatever the box is told,
    /// until <see cref="Unstick"/>. It is what the rules cannot prevent and the state machine must show.
    /// </summary>
    public void ForceChannelOn(int channel)
    {
        var bit = SwitchBoxProtocol.Bit(channel);
        lock (_gate) { _stuckOn |= bit; _status = Stuck(_status); }
    }

    /// <summary>Frees every stuck relay (they stay on until switched off).</summary>
    public void Unstick() { lock (_gate) _stuckOn = 0; }

    /// <summary>The firmware hangs: lines are still received (and counted) but neither carried out nor answered, until <see cref="Resume"/>.</summary>
    public void StopAnswering() { lock (_gate) _hung = true; }

    public void Resume() { lock (_gate) _hung = false; }

    /// <summary>The next <paramref name="answers"/> answers are line noise (non-ASCII bytes, still LF terminated); the commands are carried out.</summary>
    public void SendGarbage(int answers) { lock (_gate) _garbageAnswers = answers; }

    /// <summary>The next <paramref name="answers"/> answers are lost on the line; the commands are carried out.</summary>
    public void DropAnswers(int answers) { lock (_gate) _droppedAnswers = answers; }

    /// <summary>The next <paramref name="answers"/> answers are sent twice.</summary>
    public void RepeatAnswers(int answers) { lock (_gate) _repeatedAnswers = answers; }

    /// <summary>Pulls the cable: nothing is answered and TCP clients are dropped until <see cref="Plug"/>.</summary>
    public void Unplug() => _unplugged = true;

    public void Plug() => _unplugged = false;

    public bool Unplugged => _unplugged;

    // ---- The box ----

    /// <summary>Carries out one received line; returns the lines to send back (without their terminator).</summary>
    internal IReadOnlyList<string> Handle(string line)
    {
        if (Unplugged) return [];
        LineReceived?.Invoke(line);
        lock (_gate)
        {
            var parsed = SwitchBoxProtocol.TryParseCommand(line, out var command, out _);
            if (parsed && command!.IsQuery) _queriesReceived++;
            else _commandsReceived++;
            if (_hung) return [];
            if (parsed) _status = Stuck(Execute(command!, _status));
            else _logger.LogDebug("{Name}: ignoring {Line}", Name, RawText.Quote(line));

            if (_droppedAnswers > 0) { _droppedAnswers--; return []; }
            if (_garbageAnswers > 0) { _garbageAnswers--; return ["\u00ff\u00a7{#?\u0015"]; }
            var answer = SwitchBoxProtocol.FormatStatus(_status);
            if (_repeatedAnswers > 0) { _repeatedAnswers--; return [answer, answer]; }
            return [answer];
        }
    }

    private static SwitchBoxStatus Execute(SwitchBoxCommand command, SwitchBoxStatus status) => command.Action switch
    {
        SwitchBoxAction.LvOn => new(true, status.Hv, status.Channels),
        SwitchBoxAction.LvOff => new(false, status.Hv, status.Channels),
        SwitchBoxAction.HvOn => new(status.Lv, true, status.Channels),
        SwitchBoxAction.HvOff => new(status.Lv, false, status.Channels),
        SwitchBoxAction.ChannelOn => status.WithChannel(command.Channel, true),
        SwitchBoxAction.ChannelOff => status.WithChannel(command.Channel, false),
        SwitchBoxAction.AllChannelsOff => new(status.Lv, status.Hv, 0),
        _ => status,
    };

    // A welded relay stays closed whatever the coil is told. Called under _gate.
    private SwitchBoxStatus Stuck(SwitchBoxStatus status) => new(status.Lv, status.Hv, status.Channels | _stuckOn);

    async Task ISimulatedInstrument.ServeAsync(Func<Memory<byte>, CancellationToken, ValueTask<int>> read,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        var framer = new LineFramer();
        var buffer = new byte[256];
        while (true)
        {
            var n = await read(buffer, cancellationToken);
            if (n == 0) return;
            foreach (var line in framer.Push(buffer.AsSpan(0, n)))
                foreach (var answer in Handle(line))
                    await write(Encoding.Latin1.GetBytes(answer + SwitchBoxProtocol.StatusTerminator), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        IAsyncDisposable[] hosts;
        lock (_gate) { hosts = [.. _hosts]; _hosts.Clear(); }
        foreach (var host in hosts) await host.DisposeAsync();
    }
}
