using System.Globalization;
using System.IO.Ports;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// A simulated Julabo chiller speaking the real wire protocol, on a TCP listener bound to 127.0.0.1
/// and/or a serial device (one end of a socat pty pair). Used in demo mode and by the tests.
/// It starts in remote stop (02) with its bath at ambient. Faults can be injected: alarms, manual
/// mode, a pulled cable, slow, dropped or garbled replies.
/// </summary>
public sealed class JulaboSimulator : IAsyncDisposable
{
    private readonly JulaboSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly JulaboBath _bath;
    private readonly double[] _setpoints = [20, 20, 20];
    private readonly List<IAsyncDisposable> _hosts = [];
    private long _lastAdvance;
    private int _selected = 1;
    private bool _externalControl;
    private bool _running;
    private bool _remote = true;
    private int _pumpStage = 1;
    private JulaboUnitStatus? _alarm;
    private JulaboUnitStatus? _entryError;
    private int _garbageReplies;
    private int _droppedReplies;
    private volatile bool _unplugged;

    public JulaboSimulator(JulaboSimulatorOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _options = options ?? new JulaboSimulatorOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _bath = new JulaboBath(_options.AmbientTemperature, _options.TimeConstant,
            _options.ExternalLag ?? _options.TimeConstant / 4, _options.AmbientTimeConstant ?? _options.TimeConstant * 10, _options.HeatLoad);
        _lastAdvance = _time.GetTimestamp();
    }

    /// <summary>The TCP endpoint once <see cref="ListenTcp"/> was called.</summary>
    public IPEndPoint? TcpEndPoint { get; private set; }

    /// <summary>Listens on 127.0.0.1 (never the lab network: a demo must not answer for the real chiller). Returns the bound port.</summary>
    public int ListenTcp(int port = 0)
    {
        var host = new JulaboSimulatorTcpHost(this, port, _logger);
        lock (_gate) _hosts.Add(host);
        TcpEndPoint = host.EndPoint;
        return host.EndPoint.Port;
    }

    /// <summary>
    /// Answers on a serial device. The simulator keeps (re)opening the path, so a socat pair that is
    /// killed and started again with the same link names is picked up again. Handshake defaults to
    /// None because a pseudo terminal has no RTS/CTS lines.
    /// </summary>
    public void ServeSerial(string devicePath, int baudRate = 4800, int dataBits = 7, Parity parity = Parity.Even,
        StopBits stopBits = StopBits.One, Handshake handshake = Handshake.None)
    {
        var host = new JulaboSimulatorSerialHost(this, () => new SerialJulaboTransport(devicePath, baudRate, dataBits, parity, stopBits, handshake), devicePath, _logger);
        lock (_gate) _hosts.Add(host);
    }

    // ---- What the unit is doing, for tests and a demo panel ----

    public double BathTemperature { get { lock (_gate) { Advance(); return _bath.Bath; } } }
    public double ExternalTemperature { get { lock (_gate) { Advance(); return _bath.External; } } }
    public double Power { get { lock (_gate) { Advance(); return _bath.Power; } } }
    public bool Running { get { lock (_gate) return _running; } }
    public int SelectedSetpoint { get { lock (_gate) return _selected; } }
    public bool ExternalControl { get { lock (_gate) return _externalControl; } }
    public int PumpStage { get { lock (_gate) return _pumpStage; } }
    public double Setpoint(int setpoint) { lock (_gate) return _setpoints[JulaboProtocol.WireIndex(setpoint)]; }

    /// <summary>What STATUS would answer now, without clearing a pending entry error.</summary>
    public JulaboUnitStatus UnitStatus { get { lock (_gate) return _alarm ?? _entryError ?? JulaboUnitStatus.ForMode(_remote, _running); } }

    /// <summary>Every command line that reaches the unit, as received (not while unplugged).</summary>
    public event Action<string>? CommandReceived;

    // ---- Fault injection ----

    /// <summary>An alarm (negative code) stops the unit, as a real one does, until <see cref="ClearAlarm"/>.</summary>
    public void RaiseAlarm(int code, string text)
    {
        if (code >= 0) throw new ArgumentOutOfRangeException(nameof(code), code, "alarm codes are negative");
        lock (_gate) { Advance(); _alarm = new JulaboUnitStatus(code, text); _running = false; }
    }

    public void ClearAlarm() { lock (_gate) _alarm = null; }

    /// <summary>Someone took the unit over at its keypad: it reports 00/01 and ignores remote OUT_ commands.</summary>
    public void SwitchToManual() { lock (_gate) _remote = false; }

    public void SwitchToRemote() { lock (_gate) _remote = true; }

    /// <summary>Pulls the cable: nothing is answered and TCP clients are dropped until <see cref="Plug"/>.</summary>
    public void Unplug() => _unplugged = true;

    public void Plug() => _unplugged = false;

    public bool Unplugged => _unplugged;

    /// <summary>Every reply waits this long before it is sent.</summary>
    public TimeSpan ReplyDelay { get; set; }

    /// <summary>The next <paramref name="replies"/> replies are line noise (non-ASCII bytes, still CR LF terminated).</summary>
    public void SendGarbage(int replies) { lock (_gate) _garbageReplies = replies; }

    /// <summary>The next <paramref name="replies"/> replies are never sent.</summary>
    public void DropReplies(int replies) { lock (_gate) _droppedReplies = replies; }

    // ---- The unit ----

    /// <summary>Carries out one received command line; returns the reply line to send (without CR LF), or null.</summary>
    internal string? Handle(string line)
    {
        if (!Unplugged) CommandReceived?.Invoke(line);
        lock (_gate)
        {
            if (Unplugged) return null;
            Advance();
            var reply = Execute(line);
            if (reply is null) return null;
            if (_droppedReplies > 0) { _droppedReplies--; return null; }
            if (_garbageReplies > 0) { _garbageReplies--; return "\u00ff\u00a7#?\u0015"; }
            return reply;
        }
    }

    private string? Execute(string line)
    {
        JulaboCommand command;
        try
        {
            command = JulaboProtocol.ParseCommand(line);
        }
        catch (JulaboProtocolException)
        {
            _entryError = new JulaboUnitStatus(JulaboUnitStatus.InvalidCommand, "INVALID COMMAND");
            return null;
        }

        switch (command.Name)
        {
            case "VERSION": return _options.Version;
            case "STATUS":
                var status = _alarm ?? _entryError ?? JulaboUnitStatus.ForMode(_remote, _running);
                _entryError = null; // an entry error is reported once, an alarm until it is cleared
                return JulaboProtocol.FormatStatus(status);
            case "IN_PV_00": return JulaboProtocol.FormatNumber(_bath.Bath);
            case "IN_PV_01": return JulaboProtocol.FormatNumber(_bath.Power);
            case "IN_PV_02": return JulaboProtocol.FormatNumber(_bath.External);
            case "IN_SP_00" or "IN_SP_01" or "IN_SP_02": return JulaboProtocol.FormatNumber(_setpoints[command.Name[^1] - '0']);
            case "IN_MODE_01": return (_selected - 1).ToString(CultureInfo.InvariantCulture);
            case "IN_MODE_04": return _externalControl ? "1" : "0";
        }

        // OUT_ commands: ignored at the keypad (manual mode), range-checked otherwise; never answered.
        if (!_remote) return null;
        var value = command.NumericArgument;
        if (value is null) { _entryError = new JulaboUnitStatus(JulaboUnitStatus.InvalidCommand, "INVALID COMMAND"); return null; }
        switch (command.Name)
        {
            case "OUT_SP_00" or "OUT_SP_01" or "OUT_SP_02":
                if (InRange(value.Value, _options.TempMin, _options.TempMax)) _setpoints[command.Name[^1] - '0'] = value.Value;
                break;
            case "OUT_MODE_01":
                if (IsInteger(value.Value) && InRange(value.Value, 0, JulaboProtocol.SetpointCount - 1)) _selected = (int)value.Value + 1;
                break;
            case "OUT_MODE_04":
                if (IsInteger(value.Value) && InRange(value.Value, 0, 1)) _externalControl = value.Value == 1;
                break;
            case "OUT_MODE_05":
                if (IsInteger(value.Value) && InRange(value.Value, 0, 1)) _running = value.Value == 1 && _alarm is null;
                break;
            case "OUT_SP_07":
                if (IsInteger(value.Value) && InRange(value.Value, 1, 4)) _pumpStage = (int)value.Value;
                break;
        }
        return null;
    }

    private bool IsInteger(double value)
    {
        if (value == Math.Floor(value)) return true;
        _entryError = new JulaboUnitStatus(JulaboUnitStatus.InvalidCommand, "INVALID COMMAND");
        return false;
    }

    private bool InRange(double value, double min, double max)
    {
        if (value < min) _entryError = new JulaboUnitStatus(JulaboUnitStatus.ValueTooSmall, "VALUE TOO SMALL");
        else if (value > max) _entryError = new JulaboUnitStatus(JulaboUnitStatus.ValueTooLarge, "VALUE TOO LARGE");
        else return true;
        return false;
    }

    // The bath is advanced lazily to "now" whenever anyone looks at it; called under _gate.
    private void Advance()
    {
        var now = _time.GetTimestamp();
        _bath.Advance(_time.GetElapsedTime(_lastAdvance, now), _running, _setpoints[_selected - 1], _externalControl);
        _lastAdvance = now;
    }

    /// <summary>Serves one byte stream (a TCP client, an opened serial port) until it fails or is cancelled.</summary>
    internal async Task ServeAsync(Func<Memory<byte>, CancellationToken, ValueTask<int>> read,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        var framer = new JulaboLineFramer();
        var buffer = new byte[256];
        while (true)
        {
            var n = await read(buffer, cancellationToken);
            if (n == 0) return;
            foreach (var line in framer.Push(buffer.AsSpan(0, n)))
            {
                var reply = Handle(line);
                if (reply is null) continue;
                if (ReplyDelay > TimeSpan.Zero) await Task.Delay(ReplyDelay, _time, cancellationToken);
                if (Unplugged) continue;
                await write(System.Text.Encoding.Latin1.GetBytes(JulaboProtocol.FormatReply(reply)), cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        IAsyncDisposable[] hosts;
        lock (_gate) { hosts = [.. _hosts]; _hosts.Clear(); }
        foreach (var host in hosts) await host.DisposeAsync();
    }
}
