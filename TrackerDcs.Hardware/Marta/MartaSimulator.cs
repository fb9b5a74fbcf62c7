using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware.Modbus;

namespace TrackerDcs.Hardware.Marta;

/// <summary>
/// A simulated MARTA: its PLC's holding registers, as the register map lays them out, served over Modbus TCP on
/// 127.0.0.1, with the plant of <see cref="MartaPlant"/> behind them. Only the map's addresses exist (a read
/// across a gap is refused with ILLEGAL DATA ADDRESS, as a PLC may) and only its input registers can be written.
/// The PLC's logic, as the seed implies it: the chiller runs while set_start_chiller is 1, the CO2 pump while
/// set_start_co2 is 1 too; status is 3 while a fail-safe bit (_FS, _TS) is set, 2 while the CO2 loop runs, else 1.
/// A fail-safe stops both machines (the start bits stay as written); alarm bits latch until a rising edge of
/// set_alarm_reset. Time comes from the TimeProvider, so tests can run the plant fast. Faults: alarm bits
/// (<see cref="InjectAlarm"/>), a PLC that stops answering (<see cref="Answering"/>), and dropped connections
/// (<see cref="DropConnections"/>). Someone at the plant's own panel can be played with <see cref="WriteAtPanel"/>.
/// </summary>
public sealed class MartaSimulator : IModbusRegisterBank, IAsyncDisposable
{
    private readonly MartaRegisterMap _map;
    private readonly MartaControlRegisters _control;
    private readonly MartaSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ModbusRegisterBank _bank;
    private readonly MartaPlant _plant;
    private readonly HashSet<string> _alarms = new(StringComparer.Ordinal);
    private readonly ModbusTcpServer _server;
    private long _lastAdvance;
    private long _writes;

    public MartaSimulator(MartaRegisterMap map, MartaSimulatorOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _map = map;
        _control = MartaControlRegisters.From(map);
        _options = options ?? new MartaSimulatorOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _plant = new MartaPlant(_options);
        _bank = new ModbusRegisterBank(
            map.Registers.SelectMany(Addresses).Distinct(),
            map.Registers.Where(r => r.Input).SelectMany(Addresses).Distinct());
        Store(_control.TemperatureSetpoint, _options.InitialTemperatureSetpoint);
        Store(_control.SpeedSetpoint, _options.InitialSpeedSetpoint);
        Store(_control.FlowSetpoint, _options.InitialFlowSetpoint);
        _lastAdvance = _time.GetTimestamp();
        Publish();
        _server = new ModbusTcpServer(this, IPAddress.Loopback, _options.Port, _options.UnitId, _logger);
        _logger.LogInformation("MARTA simulator: Modbus TCP on {EndPoint}, unit {Unit}", _server.EndPoint, _options.UnitId);
    }

    private static IEnumerable<ushort> Addresses(MartaRegister r) => Enumerable.Range(r.Address, r.Width).Select(a => (ushort)a);

    public IPEndPoint EndPoint => _server.EndPoint;

    public byte UnitId => _options.UnitId;

    /// <summary>Modbus connections open now.</summary>
    public int ClientCount => _server.ClientCount;

    /// <summary>Modbus requests received so far.</summary>
    public long RequestCount => _server.RequestCount;

    /// <summary>Write requests received so far (refused ones too): a command that is refused must not add to it.</summary>
    public long WriteCount => Interlocked.Read(ref _writes);

    // ---- What the plant shows, for tests and a demo panel ----

    /// <summary>A register's value now, as a client would read it.</summary>
    public MartaValue Read(string register)
    {
        var r = _map[register];
        lock (_gate)
        {
            Advance();
            Publish();
            Span<ushort> words = stackalloc ushort[r.Width];
            for (var i = 0; i < r.Width; i++) words[i] = _bank[(ushort)(r.Address + i)];
            return r.Decode(words);
        }
    }

    /// <summary>The alarm bits set now (latched until a reset).</summary>
    public IReadOnlyCollection<string> ActiveAlarms { get { lock (_gate) return [.. _alarms]; } }

    // ---- Faults ----

    /// <summary>Sets an alarm bit (any bool of the map that is not an input); it stays set until set_alarm_reset rises or <see cref="ClearAlarm"/>.</summary>
    public void InjectAlarm(string register)
    {
        var r = _map.Find(register);
        if (r is not { Type: MartaRegisterType.Bool, Input: false })
            throw new ArgumentException($"'{register}' is not an alarm bit of {_map.File} (a bool register not marked input)", nameof(register));
        lock (_gate)
        {
            Advance();
            _alarms.Add(register);
            Publish();
        }
        _logger.LogInformation("MARTA simulator: alarm bit {Register} set", register);
    }

    public void ClearAlarm(string register)
    {
        lock (_gate)
        {
            Advance();
            _alarms.Remove(register);
            Publish();
        }
    }

    /// <summary>False: the PLC reads requests and never answers (its connections stay open); clients time out.</summary>
    public bool Answering { get => _server.Answering; set => _server.Answering = value; }

    /// <summary>Closes every Modbus connection now; clients may connect again.</summary>
    public void DropConnections() => _server.DropClients();

    /// <summary>Someone at the plant's own panel changes an input (a set point, or a start bit: 0 or 1).</summary>
    public void WriteAtPanel(string register, double value)
    {
        var r = _map[register];
        if (!r.Input) throw new ArgumentException($"'{register}' is not an input register", nameof(register));
        lock (_gate)
        {
            Advance();
            var resetBefore = Bool(_control.AlarmReset);
            if (r.Type == MartaRegisterType.Bool) _bank[r.Address] = r.WithBit(_bank[r.Address], value != 0);
            else Store(r, value);
            Written(resetBefore);
        }
    }

    // ---- The PLC ----

    ModbusExceptionCode? IModbusRegisterBank.Read(ushort address, Span<ushort> destination)
    {
        lock (_gate)
        {
            Advance();
            Publish();
            return _bank.Read(address, destination);
        }
    }

    ModbusExceptionCode? IModbusRegisterBank.Write(ushort address, ReadOnlySpan<ushort> values)
    {
        Interlocked.Increment(ref _writes);
        lock (_gate)
        {
            Advance();
            var resetBefore = Bool(_control.AlarmReset);
            var refused = _bank.Write(address, values);
            if (refused is null) Written(resetBefore);
            return refused;
        }
    }

    /// <summary>After an input changed: a rising edge of set_alarm_reset clears the latched alarm bits.</summary>
    private void Written(bool resetBefore)
    {
        if (!resetBefore && Bool(_control.AlarmReset) && _alarms.Count > 0)
        {
            _logger.LogInformation("MARTA simulator: alarm reset clears {Alarms}", string.Join(", ", _alarms));
            _alarms.Clear();
        }
        Publish();
    }

    private bool Tripped => _alarms.Any(MartaAlarmCode.IsFailSafe);

    private MartaPlantInputs Inputs() => new(Bool(_control.StartChiller), Bool(_control.StartCo2), Bool(_control.FlowActive), Tripped,
        Float(_control.TemperatureSetpoint), Float(_control.SpeedSetpoint), Float(_control.FlowSetpoint));

    /// <summary>Moves the plant to now, with the inputs as they were since the last call.</summary>
    private void Advance()
    {
        var now = _time.GetTimestamp();
        _plant.Advance(_time.GetElapsedTime(_lastAdvance, now), Inputs());
        _lastAdvance = now;
    }

    /// <summary>Writes the plant's readings, the status and the alarm bits into the registers clients read.</summary>
    private void Publish()
    {
        var inputs = Inputs();
        var readings = _plant.Readings(inputs);
        var status = inputs.Tripped ? 3 : inputs.Co2Runs ? 2 : 1;
        var bits = new Dictionary<ushort, ushort>();
        foreach (var r in _map.Registers.Where(r => !r.Input))
        {
            switch (r.Type)
            {
                case MartaRegisterType.Float32:
                    Store(r, readings.GetValueOrDefault(r.Name));
                    break;
                case MartaRegisterType.Int:
                    _bank[r.Address] = r == _control.Status ? (ushort)status : (ushort)Math.Clamp(readings.GetValueOrDefault(r.Name), 0, ushort.MaxValue);
                    break;
                case MartaRegisterType.Bool:
                    bits[r.Address] = r.WithBit(bits.GetValueOrDefault(r.Address, _bank[r.Address]), _alarms.Contains(r.Name));
                    break;
            }
        }
        foreach (var (address, value) in bits) _bank[address] = value;
    }

    private void Store(MartaRegister r, double value)
    {
        var words = MartaRegister.EncodeFloat32((float)value);
        (_bank[r.Address], _bank[(ushort)(r.Address + 1)]) = (words[0], words[1]);
    }

    private bool Bool(MartaRegister r) => r.Decode([_bank[r.Address]]).IsTrue;
    private double Float(MartaRegister r) => r.Decode([_bank[r.Address], _bank[(ushort)(r.Address + 1)]]).Number;

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
