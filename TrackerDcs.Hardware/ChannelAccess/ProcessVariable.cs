namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>Native field types as the CA specification numbers them (DBF_*; DBR_* adds 7 per class).</summary>
public enum CaType : ushort { String = 0, Short = 1, Float = 2, Enum = 3, Char = 4, Long = 5, Double = 6 }

/// <summary>EPICS alarm severity (alarm.h).</summary>
public enum AlarmSeverity : ushort { NoAlarm = 0, Minor = 1, Major = 2, Invalid = 3 }

/// <summary>
/// A process variable hosted by the Channel Access server: the contract between a simulator
/// (which owns the physics and updates values) and the server (which owns the wire).
/// Values are held in their native CLR type: string, short, float, ushort (enum index),
/// byte (char), int (long), double, or an array of one of these.
/// </summary>
public sealed class ProcessVariable(string name, CaType type, object initial)
{
    private readonly Lock _gate = new();
    private object _value = initial;
    private AlarmSeverity _severity;
    private ushort _status;
    private DateTime _timestamp = DateTime.UtcNow;

    public string Name { get; } = name;
    public CaType Type { get; } = type;
    public IReadOnlyList<string> EnumStrings { get; init; } = [];
    public string Units { get; init; } = "";
    public short Precision { get; init; }
    public double LowLimit { get; init; }
    public double HighLimit { get; init; }
    public bool Writable { get; init; } = true;

    /// <summary>
    /// Called for a client's put, with the value converted to the native type. Returns null when the
    /// put is accepted (the handler updates the value itself), or a reason when it is refused.
    /// When unset, an accepted put simply becomes the new value.
    /// </summary>
    public Func<object, string?>? OnPut { get; init; }

    /// <summary>Raised after every update, also when the value did not change (monitors apply dead bands).</summary>
    public event Action<ProcessVariable>? Changed;

    public (object Value, AlarmSeverity Severity, ushort Status, DateTime Timestamp) Snapshot()
    {
        lock (_gate) return (_value, _severity, _status, _timestamp);
    }

    public object Value { get { lock (_gate) return _value; } }

    public void Update(object value, AlarmSeverity severity = AlarmSeverity.NoAlarm, ushort alarmStatus = 0)
    {
        lock (_gate)
        {
            _value = value;
            _severity = severity;
            _status = alarmStatus;
            _timestamp = DateTime.UtcNow;
        }
        Changed?.Invoke(this);
    }

    /// <summary>The server's entry point for a client put.</summary>
    public string? Put(object value)
    {
        if (!Writable) return $"{Name} is read-only";
        if (OnPut is { } handler) return handler(value);
        Update(value);
        return null;
    }
}
