using System.Globalization;
using System.IO.Ports;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// A simulated Julabo chiller speaking the real wire protocol, on a TCP listener bound to 127.0.0.1
/// and/or a serial device (one end of a socat pty pair). Used in demo mode and by the tests.
/// It starts in remote stop (02) with its bath at ambient. Faults can be injected: alarms, manual
/// mode, a pulled cable, slow, dropped or garbled replies, a heat load the unit cannot hold, a unit that
/// will not take its warning limits, an external Pt100 unplugged. It answers as a unit prints (numbers padded to a
/// fixed width, power in whole percent) and ignores a command that comes sooner than
/// <see cref="JulaboSimulatorOptions.MinCommandSpacing"/> after the previous one. While the bath is outside the warning limits (OUT_SP_03 high,
/// OUT_SP_04 low) STATUS says -03 EXCESS TEMPERATURE WARNING or -04 LOW TEMPERATURE WARNING; the unit keeps
/// running (the "warning only" setting of a real unit), and the code clears when the bath is back in band.
/// </summary>
public sealed class JulaboSimulator : IAsyncDisposable, ISimulatedInstrument
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
    private int _lateReplies;
    private TimeSpan _lateBy;
    private volatile bool _unplugged;
    private bool _externalSensor;
    private long _lastTaken;
    private bool _takenAny;
    private double _limitHigh;
    private double _limitLow;

    public JulaboSimulator(JulaboSimulatorOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _options = options ?? new JulaboSimulatorOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _bath = new JulaboBath(_options.AmbientTemperature, _options.TimeConstant,
            _options.ExternalLag ?? _options.TimeConstant / 4, _options.AmbientTimeConstant ?? _options.TimeConstant * 10, _options.HeatLoad);
        _lastAdvance = _time.GetTimestamp();
        _limitHigh = _options.WarningLimitHigh ?? _options.TempMax;
        _limitLow = _options.WarningLimitLow ?? _options.TempMin;
        _externalSensor = _options.ExternalSensor;
    }

    /// <summary>The TCP endpoint once <see cref="ListenTcp"/> was called.</summary>
    public IPEndPoint? TcpEndPoint { get; private set; }

    /// <summary>Listens on 127.0.0.1 (never the lab network: a demo must not answer for the real chiller). Returns the bound port.</summary>
    public int ListenTcp(int port = 0)
    {
        var host = new SimulatorTcpHost(this, port, "Julabo simulator", _logger);
        lock (_gate) _hosts.Add(host);
        TcpEndPoint = host.EndPoint;
        return host.EndPoint.Port;
    }

    /// <summary>
    /// Answers on a serial device. The simulator keeps (re)opening the path, so a socat pair that is
    /// killed and started again with the same link names is picked up again. Without settings: 9600 8N1, as
    /// the driver's default, and no handshake, because a pseudo terminal has no RTS/CTS lines.
    /// </summary>
    public void ServeSerial(string devicePath, SerialSettings? settings = null)
    {
        var host = new SimulatorSerialHost(this, devicePath, settings ?? new SerialSettings(9600), "Julabo simulator", _logger);
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

    /// <summary>The high temperature warning limit the unit holds (OUT_SP_03, IN_SP_03).</summary>
    public double WarningLimitHigh { get { lock (_gate) return _limitHigh; } }

    /// <summary>The low temperature warning limit the unit holds (OUT_SP_04, IN_SP_04).</summary>
    public double WarningLimitLow { get { lock (_gate) return _limitLow; } }

    /// <summary>What STATUS would answer now, without clearing a pending entry error.</summary>
    public JulaboUnitStatus UnitStatus { get { lock (_gate) { Advance(); return CurrentStatus(); } } }

    /// <summary>Every command line that reaches the unit, as received (not while unplugged).</summary>
    public event Action<string>? CommandReceived;

    /// <summary>Every command line the unit ignored because it came too soon after the previous one.</summary>
    public event Action<string>? CommandDropped;

    // ---- Fault injection ----

    /// <summary>An alarm (negative code) stops the unit, as a real one does, until <see cref="ClearAlarm"/>.</summary>
    public void RaiseAlarm(int code, string text)
    {
        if (code >= 0) throw new ArgumentOutOfRangeException(nameof(code), code, "alarm codes are negative");
        lock (_gate) { Advance(); _alarm = new JulaboUnitStatus(code, text); _running = false; }
    }

    public void ClearAlarm() { lock (_gate) _alarm = null; }

    /// <summary>
    /// A heat load the unit cannot take away, in kelvin above where it aims the bath (0: none). With the
    /// set point near a warning limit the bath soon crosses it and STATUS reports the warning.
    /// </summary>
    public double ExtraHeat
    {
        get { lock (_gate) return _bath.ExtraHeat; }
        set
        {
            if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "a heat load in kelvin");
            lock (_gate) { Advance(); _bath.ExtraHeat = value; }
        }
    }

    /// <summary>How the unit takes OUT_SP_03 / OUT_SP_04 (some menus lock the limits against remote setting).</summary>
    public JulaboLimitWrites LimitWrites { get; set; } = JulaboLimitWrites.Accept;

    /// <summary>Whether the external Pt100 is plugged in; without it IN_PV_02 answers "---.--".</summary>
    public bool ExternalSensor
    {
        get { lock (_gate) return _externalSensor; }
        set { lock (_gate) _externalSensor = value; }
    }

    /// <summary>Someone sets the warning limits at the unit's keypad.</summary>
    public void SetWarningLimitsAtKeypad(double high, double low) { lock (_gate) { _limitHigh = high; _limitLow = low; } }

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

    /// <summary>
    /// The next <paramref name="replies"/> replies are sent <paramref name="delay"/> late, one after the other, as from a
    /// unit busy at its keypad: the commands behind them wait their turn, as on a real serial line.
    /// </summary>
    public void DelayReplies(int replies, TimeSpan delay) { lock (_gate) (_lateReplies, _lateBy) = (replies, delay); }

    // ---- The unit ----

    /// <summary>Carries out one received command line; returns the reply line to send (without CR LF), or null.</summary>
    internal string? Handle(string line)
    {
        if (!Unplugged) CommandReceived?.Invoke(line);
        lock (_gate)
        {
            if (Unplugged) return null;
            // Counted from when the previous command taken came in: a reply goes out after that, so a driver that
            // waits its interval after reading the reply is never caught by the time this unit takes to answer.
            var now = _time.GetTimestamp();
            if (!_takenAny || _time.GetElapsedTime(_lastTaken, now) >= _options.MinCommandSpacing)
            {
                (_lastTaken, _takenAny) = (now, true);
                Advance();
                var reply = Execute(line);
                if (reply is null) return null;
                if (_droppedReplies > 0) { _droppedReplies--; return null; }
                if (_garbageReplies > 0) { _garbageReplies--; return "\u00ff\u00a7#?\u0015"; }
                return reply;
            }
        }
        CommandDropped?.Invoke(line);
        return null;
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

        if (LimitWrites == JulaboLimitWrites.Unsupported && command.Name is "OUT_SP_03" or "OUT_SP_04" or "IN_SP_03" or "IN_SP_04")
        {
            _entryError = new JulaboUnitStatus(JulaboUnitStatus.InvalidCommand, "INVALID COMMAND");
            return null;
        }

        switch (command.Name)
        {
            case "VERSION": return _options.Version;
            case "STATUS":
                var status = CurrentStatus();
                _entryError = null; // an entry error is reported once, an alarm until it is cleared
                return JulaboProtocol.FormatStatus(status);
            case "IN_PV_00": return JulaboProtocol.FormatReading(_bath.Bath);
            case "IN_PV_01": return JulaboProtocol.FormatPower(_bath.Power);
            case "IN_PV_02": return _externalSensor ? JulaboProtocol.FormatReading(_bath.External) : JulaboProtocol.NoReading;
            case "IN_SP_00" or "IN_SP_01" or "IN_SP_02": return JulaboProtocol.FormatSetpointReading(_setpoints[command.Name[^1] - '0']);
            case "IN_SP_03": return JulaboProtocol.FormatSetpointReading(_limitHigh);
            case "IN_SP_04": return JulaboProtocol.FormatSetpointReading(_limitLow);
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
            case "OUT_SP_03" or "OUT_SP_04":
                if (LimitWrites == JulaboLimitWrites.Refuse)
                    _entryError = new JulaboUnitStatus(JulaboUnitStatus.CommandNotAllowed, "COMMAND NOT ALLOWED IN CURRENT OPERATING MODE");
                else if (InRange(value.Value, _options.TempMin, _options.TempMax) && LimitWrites == JulaboLimitWrites.Accept)
                {
                    if (command.Name == "OUT_SP_03") _limitHigh = value.Value;
                    else _limitLow = value.Value;
                }
                break;
            case "OUT_SP_07":
                if (IsInteger(value.Value) && InRange(value.Value, 1, 4)) _pumpStage = (int)value.Value;
                break;
        }
        return null;
    }

    // An alarm first, then a refused command (reported once), then the bath outside the warning band, then the mode.
    private JulaboUnitStatus CurrentStatus() =>
        _alarm ?? _entryError ?? (
            _bath.Bath > _limitHigh ? new JulaboUnitStatus(JulaboUnitStatus.ExcessTemperatureWarning, "EXCESS TEMPERATURE WARNING")
            : _bath.Bath < _limitLow ? new JulaboUnitStatus(JulaboUnitStatus.LowTemperatureWarning, "LOW TEMPERATURE WARNING")
            : JulaboUnitStatus.ForMode(_remote, _running));

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
            {
                var reply = Handle(line);
                if (reply is null) continue;
                var delay = ReplyDelay;
                lock (_gate)
                    if (_lateReplies > 0)
                    {
                        _lateReplies--;
                        delay += _lateBy;
                    }
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, cancellationToken);
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

/// <summary>How a (simulated) unit takes new warning limits.</summary>
public enum JulaboLimitWrites
{
    /// <summary>Sets them.</summary>
    Accept,
    /// <summary>Says nothing and keeps its own (limits locked in the unit's menu).</summary>
    Ignore,
    /// <summary>Keeps its own and reports -09 COMMAND NOT ALLOWED IN CURRENT OPERATING MODE.</summary>
    Refuse,
    /// <summary>An older unit without these commands: -08 INVALID COMMAND, and no answer to IN_SP_03/04.</summary>
    Unsupported,
}
