using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// One simulated channel: its PVs (built from <see cref="CaenFields"/>) and the physics behind them.
/// The physics state is guarded by the crate's lock; PV updates are published by the crate after releasing it.
/// </summary>
internal sealed class SimulatedChannel
{
    // A bench module seen from the supply: LV about 2 A at 12 V, HV a sensor leaking 2 µA at 200 V.
    public const double DefaultLvLoadOhms = 6, DefaultHvLoadMegaohms = 100;

    private const double Tolerance = 1e-6;
    private const double LvBoardTemperature = 28;

    // Settings the crate has after power-up, before any driver writes channels.yml.
    private static readonly Dictionary<string, object> LvDefaults = new()
    {
        ["V0Set"] = 10.0, ["I0Set"] = 3.0, ["Trip"] = 10.0, ["TripInt"] = 0, ["TripExt"] = 0,
        ["UNVThr"] = 0.0, ["OVVThr"] = 16.0, ["RUpTime"] = 100.0, ["RDwTime"] = 100.0,
    };

    private static readonly Dictionary<string, object> HvDefaults = new()
    {
        ["V0Set"] = 0.0, ["I0Set"] = 100.0, ["Trip"] = 10.0, ["TripInt"] = 0, ["TripExt"] = 0,
        ["RUp"] = 50.0, ["RDWn"] = 50.0, ["ImRange"] = (ushort)ImRange.High, ["PDwn"] = (ushort)TripMode.Kill,
        // As delivered, a board is limited by its rating only.
        ["SVMax"] = CaenBoards.HvMaxVolts,
    };

    private readonly Lock _gate;
    private readonly Dictionary<string, ProcessVariable> _pvs = [];
    private double _volts;
    private bool _powerOn, _tripped, _unplugged;
    private double _overCurrentSeconds;

    public SimulatedChannel(string prefix, PowerKind kind, int board, int channel, Lock gate)
    {
        _gate = gate;
        Kind = kind;
        Board = board;
        Channel = channel;
        Load = kind == PowerKind.Lv ? DefaultLvLoadOhms : DefaultHvLoadMegaohms;
        var defaults = kind == PowerKind.Lv ? LvDefaults : HvDefaults;
        foreach (var field in CaenFields.For(kind))
        {
            var name = CaenPvNames.Channel(prefix, board, channel, field.Name);
            var pv = new ProcessVariable(name, field.Type, defaults.GetValueOrDefault(field.Name) ?? Zero(field.Type))
            {
                EnumStrings = field.EnumStrings,
                Units = field.Units,
                Precision = (short)(field.Type == CaType.Double ? 3 : 0),
                LowLimit = field.Min ?? 0,
                HighLimit = field.Max ?? 0,
                Writable = field.Writable,
                OnPut = field.Writable ? value => Put(field, value) : null,
            };
            _pvs[field.Name] = pv;
            Fields[name] = field;
        }
        ApplyDeadBands();
    }

    /// <summary>
    /// Each reading's MDEL and ADEL, as the IOC's records have them: the noise stays inside them, so a steady
    /// channel posts no monitor, and HV IMon's follow the current range. Settings post every change (0).
    /// </summary>
    private void ApplyDeadBands()
    {
        foreach (var field in Fields.Values)
        {
            var pv = _pvs[field.Name];
            pv.MonitorDeadband = field.DeadBandIn(ImRange) ?? 0;
            pv.ArchiveDeadband = field.ArchiveDeadBandIn(ImRange) ?? 0;
        }
    }

    public PowerKind Kind { get; }
    public int Board { get; }
    public int Channel { get; }
    public IEnumerable<ProcessVariable> ProcessVariables => _pvs.Values;
    /// <summary>The field each of this channel's PV names stands for.</summary>
    public Dictionary<string, CaenField> Fields { get; } = [];
    /// <summary>LV: ohms; HV: megaohms, so that volts over load is µA as HV IMon reads.</summary>
    public double Load { get; set; }
    /// <summary>
    /// Fault injection, LV only: a regulation fault that offsets the output by this many volts while the channel
    /// is on, past OVVThr (positive) or under UNVThr (negative, as a sagging output would). 0 is a healthy regulator.
    /// </summary>
    public double Drift { get; set; }
    /// <summary>HV only: the sensor behind the channel (its IV curve, SimulatedSensor.cs); null: the ohmic load.</summary>
    public SensorCurrent? Sensor { get; set; }
    public ImRange ImRange => Kind == PowerKind.Hv ? (ImRange)(ushort)_pvs["ImRange"].Value : ImRange.High;

    public ProcessVariable Pv(string field) => _pvs[field];

    /// <summary>An internal trip: power off, at once (LV, HV Kill) or by ramping down (HV Ramp).</summary>
    public void Trip(List<(ProcessVariable, object)> updates)
    {
        _tripped = true;
        _powerOn = false;
        _overCurrentSeconds = 0;
        if (Kind == PowerKind.Lv || (TripMode)(ushort)_pvs["PDwn"].Value == TripMode.Kill) _volts = 0;
        updates.Add((_pvs["Pw"], (ushort)0));
    }

    public void ClearAlarm()
    {
        _tripped = false;
        _overCurrentSeconds = 0;
    }

    public void SetUnplugged(bool unplugged, List<(ProcessVariable, object)> updates)
    {
        _unplugged = unplugged;
        _powerOn = false;
        _volts = 0;
        updates.Add((_pvs["Pw"], (ushort)0));
    }

    /// <summary>Advances the physics by <paramref name="seconds"/> and queues the readings' new values.</summary>
    public void Step(double seconds, Random noise, List<(ProcessVariable, object)> updates)
    {
        if (_unplugged)
        {
            Publish(updates, (int)CaenStatus.Unplugged, 0, 0, 0);
            return;
        }

        var (up, down) = RampRates();
        var target = Target();
        _volts = _volts < target ? Math.Min(target, _volts + up * seconds) : Math.Max(target, _volts - down * seconds);

        // The module draws volts over load, or its sensor's current; the supply limits it at I0Set and counts the time it does.
        var limit = Setting("I0Set");
        var draw = Draw(seconds);
        var overCurrent = _powerOn && draw >= limit;
        _overCurrentSeconds = overCurrent ? _overCurrentSeconds + seconds : 0;
        if (overCurrent && _overCurrentSeconds >= Setting("Trip")) Trip(updates);

        // Read after a possible trip, which changes both power and voltage.
        target = Target();
        var output = Output();
        var amps = Math.Min(Draw(seconds: 0), limit);
        var status = CaenStatus.None;
        if (_powerOn || _volts > Tolerance) status |= CaenStatus.On;
        if (_volts < target - Tolerance) status |= CaenStatus.RampingUp;
        if (_volts > target + Tolerance) status |= CaenStatus.RampingDown;
        if (overCurrent && !_tripped) status |= CaenStatus.OverCurrent;
        if (_tripped) status |= CaenStatus.InternalTrip;
        if (Kind == PowerKind.Lv)
        {
            // The LV board compares its output with its thresholds: above OVVThr at any time, under UNVThr once the
            // ramp is over (on the way up every output starts under it). The bits follow the output and are not
            // latched: a regulator that recovers clears them, ClearAlarm is not needed (it clears trips only).
            // Some CAEN boards latch OvV/UnV until ClearAlarm; this simulator models the non-latching kind.
            if (output > Setting("OVVThr")) status |= CaenStatus.OverVoltage;
            if (_powerOn && Math.Abs(_volts - target) < Tolerance && output < Setting("UNVThr")) status |= CaenStatus.UnderVoltage;
        }
        // The HV board limits its output at SVMax and says so with bit 7 while the set point asks for more.
        else if (_powerOn && Setting("V0Set") > Setting("SVMax")) status |= CaenStatus.AtMaxV;

        // Noise stays inside the monitor dead bands: a steady channel posts no monitor.
        var vNoise = Noise(noise, CaenFields.VMon.DeadBand!.Value);
        var iNoise = Noise(noise, Fields[_pvs["IMon"].Name].DeadBandIn(ImRange)!.Value);
        var temperature = LvBoardTemperature + 1.5 * amps + Noise(noise, CaenFields.Temp.DeadBand!.Value);
        Publish(updates, (int)status, output + vNoise, Math.Max(0, amps + iNoise), temperature);
    }

    private void Publish(List<(ProcessVariable, object)> updates, int status, double volts, double amps, double temperature)
    {
        updates.Add((_pvs["Status"], status));
        updates.Add((_pvs["VMon"], volts));
        updates.Add((_pvs["IMon"], amps));
        if (Kind == PowerKind.Lv) updates.Add((_pvs["Temp"], temperature));
    }

    /// <summary>Where the regulator heads: V0Set when on, never above SVMax on an HV board (its software limit).</summary>
    private double Target() => !_powerOn ? 0 : Kind == PowerKind.Hv ? Math.Min(Setting("V0Set"), Setting("SVMax")) : Setting("V0Set");

    /// <summary>The module's draw at the output: its sensor's current when it has one, else volts over load.</summary>
    private double Draw(double seconds) => Sensor?.Step(Output(), seconds) ?? Output() / Load;

    /// <summary>What leaves the connector: the regulated voltage, offset by a regulation fault while on.</summary>
    private double Output() => _powerOn ? Math.Max(0, _volts + Drift) : _volts;

    /// <summary>V/s up and down: HV boards are set in V/s, LV boards in ms for the whole ramp.</summary>
    private (double Up, double Down) RampRates()
    {
        if (Kind == PowerKind.Hv) return (Setting("RUp"), Setting("RDWn"));
        var span = Math.Max(Setting("V0Set"), 0.1);
        return (span / (Setting("RUpTime") / 1000), Math.Max(span, _volts) / (Setting("RDwTime") / 1000));
    }

    private static double Noise(Random random, double deadBand) => (random.NextDouble() * 2 - 1) * 0.3 * deadBand;

    private double Setting(string field) => Convert.ToDouble(_pvs[field].Value);

    private string? Put(CaenField field, object value)
    {
        var pv = _pvs[field.Name];
        object native;
        if (field.Type == CaType.Enum)
        {
            if (PvValues.ToEnumIndex(value, field.EnumStrings) is not { } index)
                return $"{pv.Name}: '{value}' is not one of {string.Join(", ", field.EnumStrings)}";
            native = index;
        }
        else
        {
            if (PvValues.ToDouble(value) is not { } number || double.IsNaN(number))
                return $"{pv.Name}: '{value}' is not a number";
            if (number < field.Min || number > field.Max)
                return $"{pv.Name}: {number} is outside {field.Min}–{field.Max} {field.Units}".TrimEnd();
            native = field.Type == CaType.Long ? (int)number : (object)number;
        }

        if (field.Name == "Pw" && PowerRefused((ushort)native == 1) is { } reason) return $"{pv.Name}: {reason}";
        pv.Update(native);
        if (field.Name == CaenFields.ImRangeField.Name) ApplyDeadBands();
        return null;
    }

    private string? PowerRefused(bool on)
    {
        lock (_gate)
        {
            if (on && _unplugged) return $"board {Board} is unplugged";
            if (on && _tripped) return "the channel has tripped: clear the alarm first";
            _powerOn = on;
            return null;
        }
    }

    // Each value in its native CLR type, as ProcessVariable requires (hence the casts to object).
    private static object Zero(CaType type) => type switch
    {
        CaType.Enum => (object)(ushort)0,
        CaType.Long => 0,
        _ => 0.0,
    };
}
