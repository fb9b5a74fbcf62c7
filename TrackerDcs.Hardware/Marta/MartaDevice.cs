using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware.Common;
using TrackerDcs.Hardware.Modbus;

namespace TrackerDcs.Hardware.Marta;

/// <summary>
/// MARTA, the CO2 cooling plant, as the DCS sees it through its PLC over Modbus TCP: a poll loop that reads the
/// whole register map, the state machine of <see cref="MartaStateMachine"/>, a <see cref="Snapshot"/> of typed
/// values, validated commands, and reconnection with back-off. <see cref="RunAsync"/> is the loop (a hosted
/// service's ExecuteAsync calls it); <see cref="ExecuteAsync"/> may be called from any thread meanwhile. Link
/// failures never escape: any read or write error means the link is lost (the seed's rule), MARTA is
/// DISCONNECTED, and the loop reconnects by itself. A refused command returns its reason and writes nothing.
/// </summary>
public sealed class MartaDevice : IAsyncDisposable
{
    private readonly MartaSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly WakeableDelay _delay;
    /// <summary>Taken by a command for all its writes and by a poll for all its reads: each sees the other whole.</summary>
    private readonly SemaphoreSlim _link = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private MartaSnapshot _snapshot = MartaSnapshot.Initial;
    private volatile ModbusTcpClient? _client;
    private volatile CancellationTokenSource? _session;
    private long _generation;
    private int _reconnectNow;

    /// <exception cref="ArgumentException">The settings cannot be used (each problem named).</exception>
    /// <exception cref="MartaMapException">The map lacks a register the device needs.</exception>
    public MartaDevice(MartaRegisterMap map, MartaSettings settings, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        var problems = settings.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(settings));
        Map = map;
        Registers = MartaControlRegisters.From(map);
        _settings = settings;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _delay = new WakeableDelay(_time);
    }

    /// <summary>
    /// The device talking to its own <see cref="MartaSimulator"/> on 127.0.0.1 over Modbus TCP (the demo stand, and
    /// the default when no PLC is configured). The simulator is <see cref="Simulator"/>, disposed with the device.
    /// </summary>
    public static MartaDevice CreateSimulated(MartaRegisterMap map, MartaSettings settings, MartaSimulatorOptions? simulatorOptions = null,
        TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        var simulator = new MartaSimulator(map, simulatorOptions, timeProvider, loggerFactory?.CreateLogger<MartaSimulator>());
        var linked = settings with { Host = "127.0.0.1", Port = simulator.EndPoint.Port, UnitId = simulator.UnitId };
        return new MartaDevice(map, linked, timeProvider, loggerFactory?.CreateLogger<MartaDevice>()) { Simulator = simulator };
    }

    public MartaRegisterMap Map { get; }

    public MartaControlRegisters Registers { get; }

    /// <summary>The simulated plant when the device was made by <see cref="CreateSimulated"/>; otherwise null.</summary>
    public MartaSimulator? Simulator { get; private init; }

    /// <summary>Where the PLC is ("host:port unit n").</summary>
    public string Address => $"{_settings.Host}:{_settings.Port} unit {_settings.UnitId}";

    public MartaSettings Settings => _settings;

    public MartaSnapshot Snapshot { get { lock (_gate) return _snapshot; } }

    public MartaState State => Snapshot.State;

    /// <summary>
    /// Raised after every read of the map (the read time is part of the snapshot) and on every state change, on the
    /// thread that saw it (usually the poll loop's). Handlers must be quick; one that throws is logged and ignored.
    /// </summary>
    public event Action<MartaSnapshot>? SnapshotChanged;

    // ---- The loop ----

    /// <summary>Connects, polls, and reconnects with back-off until cancelled or disposed. Never throws.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var delay = _settings.ReconnectDelayMin;
        try
        {
            while (true)
            {
                var readPlant = await RunSessionAsync(stop.Token);
                delay = readPlant ? _settings.ReconnectDelayMin : delay;
                if (Interlocked.Exchange(ref _reconnectNow, 0) == 0)
                {
                    _logger.LogInformation("MARTA: reconnecting to {Address} in {Delay} ms", Address, delay.TotalMilliseconds);
                    await _delay.SleepAsync(delay, stop.Token);
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.ReconnectDelayMax.Ticks));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Apply(MartaEvent.LinkLost, s => s with { Live = false, Problem = "stopped" });
        }
    }

    /// <summary>
    /// One link from open to loss: the one boundary where transport errors become the DISCONNECTED state. Returns
    /// whether the map was read at least once (which resets the back-off).
    /// </summary>
    private async Task<bool> RunSessionAsync(CancellationToken stop)
    {
        var readPlant = false;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var client = new ModbusTcpClient(_settings.Host, _settings.Port, _settings.UnitId, _settings.ConnectTimeout, _settings.ResponseTimeout, _time, _logger);
        try
        {
            await client.ConnectAsync(session.Token);
            _session = session;
            _client = client;
            // A new link: everything is published again with its first read (values may have changed meanwhile).
            Interlocked.Increment(ref _generation);
            _logger.LogInformation("MARTA: connected to {Address}", Address);
            while (true)
            {
                var started = _time.GetTimestamp();
                await PollAsync(client, session.Token);
                readPlant = true;
                await _delay.SleepAsync(_settings.PollPeriod - _time.GetElapsedTime(started), session.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // A command found the link dead, or an operator asked to reconnect; the state says so already.
        }
        catch (Exception e)
        {
            if (e is not ModbusException) _logger.LogError(e, "MARTA: unexpected failure; treating the link as lost");
            LinkLost(client, e);
        }
        finally
        {
            _client = null;
            _session = null;
            await client.DisposeAsync();
        }
        return readPlant;
    }

    private async Task PollAsync(ModbusTcpClient client, CancellationToken ct)
    {
        var image = new ushort[Map.ImageSize];
        // The map takes several requests. A command's writes between two of them made a snapshot of halves: the alarm
        // bits from before clear_alarms with the status from after, CONNECTED still listing the emergency button.
        await _link.WaitAsync(ct);
        try
        {
            foreach (var chunk in Map.ReadPlan)
                (await client.ReadHoldingRegistersAsync(chunk.Address, chunk.Count, ct)).CopyTo(image, chunk.Address);
        }
        finally
        {
            _link.Release();
        }
        var values = Map.Decode(image);
        var (@event, problem) = MartaStateMachine.Classify((int)values[Registers.Status.Name].Number,
            values[Registers.StartChiller.Name].IsTrue, values[Registers.StartCo2.Name].IsTrue);
        if (problem is not null && problem != Snapshot.Problem) _logger.LogWarning("MARTA: {Problem}", problem);
        var alarms = Map.AlarmCodes.Where(a => values[a.Register.Name].IsTrue).ToList();
        Apply(@event, s => new MartaSnapshot(s.State, true, _time.GetUtcNow(), values, alarms, Interlocked.Read(ref _generation), problem));
    }

    private void LinkLost(ModbusTcpClient client, Exception e)
    {
        // A command on an old link must not tear down the new one.
        if (_client is { } current && current != client) return;
        _logger.LogWarning("MARTA: link to {Address} lost: {Reason}", Address, e.Message);
        Apply(MartaEvent.LinkLost, s => s with { Live = false, Problem = e.Message });
        EndSession();
    }

    private void EndSession()
    {
        // The loop may be disposing this session right now; it is ending either way.
        try { _session?.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    private void Apply(MartaEvent @event, Func<MartaSnapshot, MartaSnapshot> update)
    {
        MartaSnapshot next;
        lock (_gate)
        {
            var state = MartaStateMachine.Next(_snapshot.State, @event);
            next = update(_snapshot) with { State = state };
            if (next == _snapshot) return;
            if (state != _snapshot.State) _logger.LogInformation("MARTA: {From} → {To}", _snapshot.State.Wire(), state.Wire());
            _snapshot = next;
        }
        try { SnapshotChanged?.Invoke(next); }
        catch (Exception e) { _logger.LogError(e, "MARTA: a SnapshotChanged handler failed"); }
    }

    // ---- Commands: validated first; nothing is written when they are refused ----

    /// <summary>
    /// Carries out one of the seed's commands. <paramref name="argument"/> is the value of those that take one
    /// (set points, 0 or 1 for set_flow_active) and must be null for the others. The state must allow the
    /// command (<see cref="MartaCommandSpec.Allows"/>). Bits are written by read-modify-write of their register,
    /// read afresh, changing only their bit; set_start_co2 is never written 1 while set_start_chiller is 0 there.
    /// </summary>
    public async Task<CommandResult> ExecuteAsync(MartaCommand command, double? argument = null, CancellationToken ct = default)
    {
        var spec = MartaCommands.Of(command);
        if (spec.CheckArgument(argument) is { } badValue) return CommandResult.Refused(badValue);
        switch (command)
        {
            case MartaCommand.Reconnect: return Reconnect();
            case MartaCommand.Refresh: return Refresh();
        }
        if (spec.Refusal(State) is { } refusal) return CommandResult.Refused(refusal);
        if (_client is not { } client) return CommandResult.Refused($"{spec.Name} needs a link to MARTA (connecting to {Address})");

        await _link.WaitAsync(ct);
        try
        {
            var result = command switch
            {
                MartaCommand.StartChiller => await WriteBitsAsync(client, spec, ct, (Registers.StartChiller, true)),
                MartaCommand.StopChiller => await WriteBitsAsync(client, spec, ct, (Registers.StartChiller, false)),
                MartaCommand.StartCo2 => await WriteBitsAsync(client, spec, ct, (Registers.StartCo2, true)),
                MartaCommand.StopCo2 => await WriteBitsAsync(client, spec, ct, (Registers.StartCo2, false)),
                MartaCommand.SetFlowActive => await WriteBitsAsync(client, spec, ct, (Registers.FlowActive, argument == 1)),
                MartaCommand.SetTemperatureSetpoint => await WriteFloatAsync(client, spec, Registers.TemperatureSetpoint, argument!.Value, ct),
                MartaCommand.SetSpeedSetpoint => await WriteFloatAsync(client, spec, Registers.SpeedSetpoint, argument!.Value, ct),
                MartaCommand.SetFlowSetpoint => await WriteFloatAsync(client, spec, Registers.FlowSetpoint, argument!.Value, ct),
                MartaCommand.ClearAlarms => await ClearAlarmsAsync(client, spec, ct),
                _ => throw new InvalidOperationException($"{command} has no implementation (a bug in TrackerDcs)"),
            };
            if (result.Ok) _logger.LogInformation("MARTA: {Command}{Value} done", spec.Name, argument is { } v ? $" {v}" : "");
            else _logger.LogWarning("MARTA: {Command} refused: {Reason}", spec.Name, result.Error);
            return result;
        }
        catch (ModbusException e)
        {
            LinkLost(client, e);
            return CommandResult.Refused($"{spec.Name} not carried out: lost MARTA: {e.Message}");
        }
        finally
        {
            _link.Release();
            _delay.Wake(); // read the effect back at once rather than at the next poll
        }
    }

    /// <summary>clear_alarms: 0 to both start bits (one write), then a pulse on set_alarm_reset.</summary>
    private async Task<CommandResult> ClearAlarmsAsync(ModbusTcpClient client, MartaCommandSpec spec, CancellationToken ct)
    {
        var stopped = await WriteBitsAsync(client, spec, ct, (Registers.StartChiller, false), (Registers.StartCo2, false));
        if (!stopped.Ok) return stopped;
        var reset = await WriteBitsAsync(client, spec, ct, (Registers.AlarmReset, true));
        if (!reset.Ok) return reset;
        await Task.Delay(_settings.AlarmResetPulse, _time, ct);
        return await WriteBitsAsync(client, spec, ct, (Registers.AlarmReset, false));
    }

    private async Task<CommandResult> WriteBitsAsync(ModbusTcpClient client, MartaCommandSpec spec, CancellationToken ct, params (MartaRegister Bit, bool Value)[] bits)
    {
        var address = bits[0].Bit.Address;
        if (bits.Any(b => b.Bit.Address != address || !b.Bit.Input))
            throw new InvalidOperationException($"{spec.Name}: bits of several registers, or of a register not marked input (a bug in TrackerDcs)");
        var current = (await client.ReadHoldingRegistersAsync(address, 1, ct))[0];
        var next = bits.Aggregate(current, (value, b) => b.Bit.WithBit(value, b.Value));
        if (address == Registers.StartChiller.Address && Registers.Co2WithoutChiller(next))
            return CommandResult.Refused(Registers.Co2WithoutChiller(current)
                ? $"{spec.Name} refused: register {address} reads set_start_co2 1 with set_start_chiller 0, which must never be written back; clear_alarms writes both to 0"
                : $"{spec.Name} refused: it would write set_start_co2 1 with set_start_chiller 0 (register {address} read just now: set_start_chiller {Bit(Registers.StartChiller, current)}, set_start_co2 {Bit(Registers.StartCo2, current)}); never allowed");
        await client.WriteMultipleRegistersAsync(address, [next], ct);
        return CommandResult.Done;
    }

    private static int Bit(MartaRegister bit, ushort register) => bit.Decode([register]).IsTrue ? 1 : 0;

    private static async Task<CommandResult> WriteFloatAsync(ModbusTcpClient client, MartaCommandSpec spec, MartaRegister register, double value, CancellationToken ct)
    {
        if (!register.Input) throw new InvalidOperationException($"{spec.Name}: {register.Name} is not marked input (a bug in TrackerDcs)");
        await client.WriteMultipleRegistersAsync(register.Address, MartaRegister.EncodeFloat32((float)value), ct);
        return CommandResult.Done;
    }

    /// <summary>Reads the map now, and has everything published again.</summary>
    private CommandResult Refresh()
    {
        Interlocked.Increment(ref _generation);
        _delay.Wake();
        return CommandResult.Done;
    }

    /// <summary>Closes the link and opens it again at once.</summary>
    private CommandResult Reconnect()
    {
        Interlocked.Exchange(ref _reconnectNow, 1);
        if (_session is not null)
        {
            _logger.LogInformation("MARTA: reconnect requested");
            Apply(MartaEvent.LinkLost, s => s with { Live = false, Problem = "reconnect requested" });
            EndSession();
        }
        _delay.Wake();
        return CommandResult.Done;
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        if (Simulator is not null) await Simulator.DisposeAsync();
    }
}
