namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// A DBR type code: class × 7 + field type (db_access.h: DBR_STRING 0 … DBR_DOUBLE 6, DBR_STS_STRING 7,
/// DBR_TIME_STRING 14, DBR_GR_STRING 21, DBR_CTRL_STRING 28 … DBR_CTRL_DOUBLE 34), then DBR_STSACK_STRING 37 and
/// DBR_CLASS_NAME 38, which hold strings only. DBR_PUT_ACKT 35 and DBR_PUT_ACKS 36 are not read types: they are
/// the alarm handler's acknowledgements, see <see cref="PutAckTransient"/>.
/// </summary>
public readonly record struct DbrType(CaType Type, DbrClass Class)
{
    public const ushort StatusAckString = 37;
    public const ushort ClassNameCode = 38;
    /// <summary>DBR_PUT_ACKT: a put of one ushort, whether transient alarms must be acknowledged.</summary>
    public const ushort PutAckTransient = 35;
    /// <summary>DBR_PUT_ACKS: a put of one ushort, the severity acknowledged.</summary>
    public const ushort PutAckSeverity = 36;

    public static readonly DbrType StatusAck = new(CaType.String, DbrClass.StatusAck);
    public static readonly DbrType ClassName = new(CaType.String, DbrClass.ClassName);

    /// <summary>Every code a client may read or monitor (what EPICS base's caget accepts for -d).</summary>
    public static IEnumerable<ushort> ReadCodes => Enumerable.Range(0, 35).Select(c => (ushort)c).Append(StatusAckString).Append(ClassNameCode);

    public ushort Code => Class switch
    {
        DbrClass.StatusAck => StatusAckString,
        DbrClass.ClassName => ClassNameCode,
        _ => (ushort)((ushort)Class * 7 + (ushort)Type),
    };

    public static bool TryFromCode(ushort code, out DbrType type)
    {
        type = code switch
        {
            < 35 => new DbrType((CaType)(code % 7), (DbrClass)(code / 7)),
            StatusAckString => StatusAck,
            ClassNameCode => ClassName,
            _ => default,
        };
        return code is < 35 or StatusAckString or ClassNameCode;
    }

    public static DbrType FromCode(ushort code) =>
        TryFromCode(code, out var type) ? type : throw new CaException(CaStatus.BadType, $"DBR type {code} is not supported");

    public override string ToString() => Class switch
    {
        DbrClass.Plain => $"DBR_{Type.ToString().ToUpperInvariant()}",
        DbrClass.StatusAck => "DBR_STSACK_STRING",
        DbrClass.ClassName => "DBR_CLASS_NAME",
        _ => $"DBR_{Class switch { DbrClass.Status => "STS", DbrClass.Time => "TIME", DbrClass.Graphic => "GR", _ => "CTRL" }}_{Type.ToString().ToUpperInvariant()}",
    };
}
