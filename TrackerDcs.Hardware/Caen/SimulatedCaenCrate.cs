using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// A simulated CAEN SY4527 as its EPICS IOC presents it: every channel of LV boards 0–4 and HV boards 12–15
/// as <see cref="ProcessVariable"/>s, for the Channel Access server to host. Physics advance on each
/// <see cref="Tick"/>, by the time the <see cref="TimeProvider"/> says has passed, so tests drive it with a
/// fake clock. Part of the product: with no crate configured, the stand runs on this.
/// </summary>
public sealed class SimulatedCaenCrate : IDisposable
{
    public static readonly TimeSpan DefaultTickPeriod = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Random _noise;
    private readonly Dictionary<(int Board, int Channel), SimulatedChannel> _channels = [];
    private readonly Dictionary<string, ProcessVariable> _pvs = [];
    private readonly Dictionary<string, SimulatedChannel> _channelOfPv = [];
    private readonly HashSet<string> _withheld = [];
    private long _lastTick;
    private ITimer? _timer;

    /// <param name="prefix">PV name prefix; the seed's crate is "cleanroom".</param>
    /// <param name="seed">Seed of the reading noise, so that a test run is repeatable.</param>
    public SimulatedCaenCrate(string prefix = CaenPvNames.DefaultPrefix, TimeProvider? time = null, int seed = 4527)
    {
        Prefix = prefix;
        _time = time ?? TimeProvider.System;
        _noise = new Random(seed);
        foreach (var kind in Enum.GetValues<PowerKind>())
            foreach (var (board, channel) in CaenBoards.AllChannels(kind))
            {
                var simulated = new SimulatedChannel(prefix, kind, board, channel, _gate);
                _channels[(board, channel)] = simulated;
                foreach (var pv in simulated.ProcessVariables)
                {
                    _pvs[pv.Name] = pv;
                    _channelOfPv[pv.Name] = simulated;
                }
            }

        var clear = new ProcessVariable(CaenPvNames.ClearAlarm(prefix), CaType.String, "No") { OnPut = ClearAlarmPut };
        _pvs[clear.Name] = clear;
        _lastTick = _time.GetTimestamp();
        Tick();
    }

    public string Prefix { get; }
    public IReadOnlyCollection<ProcessVariable> ProcessVariables => _pvs.Values;

    /// <summary>The PV of a name, as the IOC serves it: null for a name it has not, or one <see cref="Withhold"/> left out.</summary>
    public ProcessVariable? Find(string name)
    {
        lock (_gate) return _withheld.Contains(name) ? null : _pvs.GetValueOrDefault(name);
    }

    /// <summary>
    /// Fault injection: the IOC serves no PV of this name (a record left out of its database), so a search for
    /// it goes unanswered, until <see cref="Restore"/>. The physics go on behind it.
    /// </summary>
    public void Withhold(string name)
    {
        lock (_gate)
        {
            if (!_pvs.ContainsKey(name)) throw new ArgumentOutOfRangeException(nameof(name), name, "no such PV in the crate");
            _withheld.Add(name);
        }
    }

    /// <summary>The withheld PV is served again: the next search for it finds it.</summary>
    public void Restore(string name)
    {
        lock (_gate) _withheld.Remove(name);
    }

    /// <summary>
    /// The monitor dead band (MDEL) of a PV, which its <see cref="ProcessVariable"/> applies as an IOC record does: null
    /// for a PV that is not a reading, 0 for one whose every change counts. HV IMon follows the channel's ImRange.
    /// </summary>
    public double? MonitorDeadBand(string name) =>
        _channelOfPv.TryGetValue(name, out var channel) ? channel.Fields[name].DeadBandIn(channel.ImRange) : null;

    /// <summary>Runs <see cref="Tick"/> on the time provider's timer until <see cref="Stop"/>.</summary>
    public void Start(TimeSpan? period = null)
    {
        var every = period ?? DefaultTickPeriod;
        lock (_gate) _timer ??= _time.CreateTimer(_ => Tick(), null, every, every);
    }

    public void Stop()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>Advances every channel to the time provider's now and publishes the readings.</summary>
    public void Tick() => Mutate(_ => { });

    /// <summary>Fault injection: the channel trips now, as if its current had exceeded I0Set for Trip seconds.</summary>
    public void Trip(int board, int channel) => Mutate(updates => Channel(board, channel).Trip(updates));

    /// <summary>Fault injection: the module's load (LV ohms, HV megaohms); a low one draws over-current.</summary>
    public void SetLoad(int board, int channel, double load)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(load);
        Mutate(_ => Channel(board, channel).Load = load);
    }

    /// <summary>
    /// Fault injection: an LV regulation fault offsets the output by <paramref name="volts"/> while the channel is
    /// on, so that VMon passes OVVThr (status bit 4) or falls under UNVThr (bit 5). 0 repairs the regulator.
    /// </summary>
    public void SetDrift(int board, int channel, double volts)
    {
        if (!double.IsFinite(volts)) throw new ArgumentOutOfRangeException(nameof(volts), volts, "the drift must be a number of volts");
        var target = Channel(board, channel);
        if (target.Kind != PowerKind.Lv)
            throw new ArgumentOutOfRangeException(nameof(board), board, $"{board}/{channel} is an HV channel: a drift is injected into LV channels, whose boards have OVVThr and UNVThr");
        Mutate(_ => target.Drift = volts);
    }

    /// <summary>
    /// An HV channel's module becomes a sensor with this IV curve (√V to depletion, ×2 per ~7 K, breakdown, charging
    /// transient); null puts the ohmic load back. Setting a lower breakdown voltage injects a breakdown.
    /// </summary>
    public void SetSensor(int board, int channel, SensorIv? sensor)
    {
        if (sensor?.Problem() is { } problem) throw new ArgumentOutOfRangeException(nameof(sensor), sensor, problem);
        var target = Channel(board, channel);
        if (target.Kind != PowerKind.Hv) throw new ArgumentOutOfRangeException(nameof(board), board, $"{board}/{channel} is an LV channel: sensors are biased by HV channels");
        Mutate(_ => target.Sensor = sensor is null ? null : new SensorCurrent(sensor));
    }

    /// <summary>Fault injection: a board pulled from the crate (status bit 11, readings zero, power off), or put back.</summary>
    public void Unplug(int board, bool unplugged = true) => Mutate(updates =>
    {
        var channels = _channels.Values.Where(c => c.Board == board).ToList();
        if (channels.Count == 0) throw new ArgumentOutOfRangeException(nameof(board), board, "no such board in the crate");
        foreach (var channel in channels) channel.SetUnplugged(unplugged, updates);
    });

    public void Dispose() => Stop();

    private string? ClearAlarmPut(object value)
    {
        if (!string.Equals(value.ToString()?.Trim(), CaenPvNames.ClearAlarmValue, StringComparison.OrdinalIgnoreCase)
            && PvValues.ToDouble(value) != 1)
            return $"{CaenPvNames.ClearAlarm(Prefix)}: put '{CaenPvNames.ClearAlarmValue}' to clear the alarms";
        Mutate(_ =>
        {
            foreach (var channel in _channels.Values) channel.ClearAlarm();
        });
        return null;
    }

    private SimulatedChannel Channel(int board, int channel) =>
        _channels.TryGetValue((board, channel), out var c)
            ? c : throw new ArgumentOutOfRangeException(nameof(channel), $"no channel {board}/{channel} in the crate");

    /// <summary>
    /// Changes the physics under the lock, brings every channel up to now (so a fault shows at once), and
    /// publishes outside the lock, so that a subscriber reacting to a PV (the CA server, a test's access)
    /// can never deadlock against a tick.
    /// </summary>
    private void Mutate(Action<List<(ProcessVariable, object)>> change)
    {
        var updates = new List<(ProcessVariable Pv, object Value)>();
        lock (_gate)
        {
            change(updates);
            var now = _time.GetTimestamp();
            var seconds = _time.GetElapsedTime(_lastTick, now).TotalSeconds;
            _lastTick = now;
            foreach (var channel in _channels.Values) channel.Step(seconds, _noise, updates);
        }
        foreach (var (pv, value) in updates) pv.Update(value);
    }
}
