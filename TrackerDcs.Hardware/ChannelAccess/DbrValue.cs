namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// The content of a DBR structure: values in their CLR element type (string, short, float, ushort for
/// enum, byte for char, int for long, double) plus whatever metadata the DBR class carries.
/// </summary>
public sealed record DbrValue(CaType Type, Array Values)
{
    /// <summary>Alarm status (alarm.h condition), DBR_STS and richer.</summary>
    public ushort Status { get; init; }
    public AlarmSeverity Severity { get; init; }
    /// <summary>Record time stamp (UTC), DBR_TIME only; default otherwise.</summary>
    public DateTime Timestamp { get; init; }
    public string Units { get; init; } = "";
    /// <summary>Display precision, DBR_GR/CTRL of float and double.</summary>
    public short Precision { get; init; }
    public DbrLimits Limits { get; init; }
    /// <summary>State labels, DBR_GR/CTRL_ENUM (at most 16 of 25 characters).</summary>
    public IReadOnlyList<string> EnumStrings { get; init; } = [];
    /// <summary>ACKT, DBR_STSACK_STRING: whether an alarm that has cleared must still be acknowledged (a record's default is yes).</summary>
    public bool AckTransient { get; init; }
    /// <summary>ACKS, DBR_STSACK_STRING: the highest severity not acknowledged yet.</summary>
    public AlarmSeverity AckSeverity { get; init; }
    /// <summary>The record type the value comes from ("ai", "bo", …), DBR_CLASS_NAME.</summary>
    public string RecordType { get; init; } = "";

    public int Count => Values.Length;

    /// <summary>A scalar when the channel holds one element, else the array.</summary>
    public object Value => Values.Length == 1 ? Values.GetValue(0)! : Values;

    /// <summary>The label of an enum value when the labels are known (DBR_CTRL_ENUM), else null.</summary>
    public string? EnumString => Type == CaType.Enum && Values.Length > 0 && Values.GetValue(0) is ushort index && index < EnumStrings.Count
        ? EnumStrings[index]
        : null;

    /// <summary>The first element as a double (enum index, char code, parsed string).</summary>
    public double ToDouble() => (double)CaValueConverter.ConvertElement(Values.GetValue(0)!, Type, CaType.Double, EnumStrings, Precision);

    public override string ToString() => $"{(Values.Length == 1 ? Value : $"[{Values.Length}]")} {Units} {Severity}".Trim();
}
