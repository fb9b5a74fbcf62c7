namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>Native field types as the CA specification numbers them (DBF_*; DBR_* adds 7 per class).</summary>
public enum CaType : ushort { String = 0, Short = 1, Float = 2, Enum = 3, Char = 4, Long = 5, Double = 6 }

/// <summary>EPICS alarm severity (alarm.h).</summary>
public enum AlarmSeverity : ushort { NoAlarm = 0, Minor = 1, Major = 2, Invalid = 3 }

/// <summary>What a PV holds at one instant, alarm acknowledgement included (the fields of DBR_STSACK_STRING).</summary>
public readonly record struct PvSnapshot(
    object Value, AlarmSeverity Severity, ushort Status, DateTime Timestamp, bool AckTransient, AlarmSeverity AckSeverity);

/// <summary>
/// A process variable hosted by the Channel Access server: the contract between a simulator
/// (which owns the physics and updates values) and the server (which owns the wire).
/// Values are held in their native CLR type: string, short, float, ushort (enum index),
/// byte (char), int (long), double, or an array of one of these.
/// Like an IOC record it decides which monitor events an update posts (<see cref="Posted"/>): DBE_VALUE when a
/// number moved more than <see cref="MonitorDeadband"/> (MDEL) from the value last posted so, DBE_LOG likewise with
/// <see cref="ArchiveDeadband"/> (ADEL), DBE_ALARM when severity or status changed; any other value posts on change.
/// </summary>
public sealed class ProcessVariable(string name, CaType type, object initial)
{
    private readonly Lock _gate = new();
    private object _value = initial;
    private AlarmSeverity _severity;
    private ushort _status;
    private DateTime _timestamp = DateTime.UtcNow;
    // The record's ACKT (default YES) and ACKS fields (dbCommon), and its MLST/ALST: the values last posted.
    private bool _ackTransient = true;
    private AlarmSeverity _ackSeverity;
    private object _monitored = initial, _archived = initial;
    private double _monitorDeadband, _archiveDeadband;

    public string Name { get; } = name;
    public CaType Type { get; } = type;
    public IReadOnlyList<string> EnumStrings { get; init; } = [];
    public string Units { get; init; } = "";
    public short Precision { get; init; }
    public double LowLimit { get; init; }
    public double HighLimit { get; init; }
    public bool Writable { get; init; } = true;

    /// <summary>
    /// The type of the record an IOC would serve this PV from, which DBR_CLASS_NAME answers. Unless set, the usual
    /// one for the type: ai/ao for numbers, longin/longout, bi/bo for two states (mbbi/mbbo for more),
    /// stringin/stringout, "waveform" for arrays; the "out" kind when clients may write it.
    /// </summary>
    public string RecordType
    {
        get => field ?? DefaultRecordType();
        init;
    }

    /// <summary>
    /// MDEL: how far a number must move from the value last posted for DBE_VALUE (0: any change; negative: every
    /// update). Settable, as an IOC's MDEL is by a put to the field; a simulator changes it with the range it models.
    /// </summary>
    public double MonitorDeadband
    {
        get { lock (_gate) return _monitorDeadband; }
        set { lock (_gate) _monitorDeadband = value; }
    }

    /// <summary>ADEL: the same for DBE_LOG, the archivers' event (usually coarser than MDEL).</summary>
    public double ArchiveDeadband
    {
        get { lock (_gate) return _archiveDeadband; }
        set { lock (_gate) _archiveDeadband = value; }
    }

    /// <summary>
    /// Called for a client's put, with the value converted to the native type. Returns null when the
    /// put is accepted (the handler updates the value itself), or a reason when it is refused.
    /// When unset, an accepted put simply becomes the new value.
    /// </summary>
    public Func<object, string?>? OnPut { get; init; }

    /// <summary>Raised after every update, also when the value did not change.</summary>
    public event Action<ProcessVariable>? Changed;

    /// <summary>Raised after an update that posts monitor events, with the events (never <see cref="CaEventMask.None"/>).</summary>
    public event Action<ProcessVariable, CaEventMask>? Posted;

    public PvSnapshot Snapshot()
    {
        lock (_gate) return new PvSnapshot(_value, _severity, _status, _timestamp, _ackTransient, _ackSeverity);
    }

    public object Value { get { lock (_gate) return _value; } }

    public void Update(object value, AlarmSeverity severity = AlarmSeverity.NoAlarm, ushort alarmStatus = 0)
    {
        var posted = CaEventMask.None;
        lock (_gate)
        {
            // recGblResetAlarms: an alarm change posts DBE_ALARM, and raises ACKS unless transients need no acknowledgement.
            if (severity != _severity || alarmStatus != _status)
            {
                posted |= CaEventMask.Alarm;
                if (!_ackTransient || severity >= _ackSeverity) _ackSeverity = severity;
            }
            if (Moved(_monitored, value, _monitorDeadband))
            {
                posted |= CaEventMask.Value;
                _monitored = value;
            }
            if (Moved(_archived, value, _archiveDeadband))
            {
                posted |= CaEventMask.Log;
                _archived = value;
            }
            _value = value;
            _severity = severity;
            _status = alarmStatus;
            _timestamp = DateTime.UtcNow;
        }
        Changed?.Invoke(this);
        if (posted != CaEventMask.None) Posted?.Invoke(this, posted);
    }

    /// <summary>
    /// DBR_PUT_ACKT: whether an alarm must be acknowledged after it has cleared. Turning it off lowers ACKS to the
    /// present severity (dbAccess putAckt), which posts DBE_ALARM when that changes it.
    /// </summary>
    public void AcknowledgeTransients(bool required)
    {
        bool changed;
        lock (_gate)
        {
            _ackTransient = required;
            changed = !required && _ackSeverity > _severity;
            if (changed) _ackSeverity = _severity;
        }
        if (changed) Posted?.Invoke(this, CaEventMask.Alarm);
    }

    /// <summary>DBR_PUT_ACKS: the alarm handler acknowledges <paramref name="severity"/>; at or above ACKS, nothing is left to acknowledge.</summary>
    public void Acknowledge(AlarmSeverity severity)
    {
        bool changed;
        lock (_gate)
        {
            changed = severity >= _ackSeverity && _ackSeverity != AlarmSeverity.NoAlarm;
            if (changed) _ackSeverity = AlarmSeverity.NoAlarm;
        }
        if (changed) Posted?.Invoke(this, CaEventMask.Alarm);
    }

    /// <summary>The server's entry point for a client put.</summary>
    public string? Put(object value)
    {
        if (!Writable) return $"{Name} is read-only";
        if (OnPut is { } handler) return handler(value);
        Update(value);
        return null;
    }

    /// <summary>
    /// recGblCheckDeadband for a scalar number: more than the dead band away (a NaN or infinity appearing or going
    /// counts as moved); anything else (strings, enums, arrays) posts when it differs.
    /// </summary>
    private bool Moved(object last, object now, double deadband)
    {
        if (Type is CaType.String or CaType.Enum || last is Array || now is Array || !IsNumber(last) || !IsNumber(now))
            return !ProcessVariableWire.SameValue(last, now);
        var (a, b) = (Convert.ToDouble(last), Convert.ToDouble(now));
        double delta;
        if (double.IsFinite(a) && double.IsFinite(b)) delta = Math.Abs(a - b);
        else if (double.IsNaN(a) != double.IsNaN(b) || double.IsInfinity(a) != double.IsInfinity(b) || (double.IsInfinity(b) && a != b)) delta = double.PositiveInfinity;
        else delta = 0;
        return delta > deadband;
    }

    private static bool IsNumber(object value) => value is double or float or int or short or byte or long;

    private string DefaultRecordType()
    {
        if (Value is Array) return "waveform";
        var output = Writable;
        return Type switch
        {
            CaType.String => output ? "stringout" : "stringin",
            CaType.Enum when EnumStrings.Count > 2 => output ? "mbbo" : "mbbi",
            CaType.Enum => output ? "bo" : "bi",
            CaType.Long or CaType.Short or CaType.Char => output ? "longout" : "longin",
            _ => output ? "ao" : "ai",
        };
    }
}
