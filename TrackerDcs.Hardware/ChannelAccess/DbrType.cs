namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// A DBR type code: class × 7 + field type (db_access.h: DBR_STRING 0 … DBR_DOUBLE 6, DBR_STS_STRING 7,
/// DBR_TIME_STRING 14, DBR_GR_STRING 21, DBR_CTRL_STRING 28 … DBR_CTRL_DOUBLE 34).
/// </summary>
public readonly record struct DbrType(CaType Type, DbrClass Class)
{
    public const ushort LastCode = 34;

    public ushort Code => (ushort)((ushort)Class * 7 + (ushort)Type);

    public static bool TryFromCode(ushort code, out DbrType type)
    {
        type = code <= LastCode ? new DbrType((CaType)(code % 7), (DbrClass)(code / 7)) : default;
        return code <= LastCode;
    }

    public static DbrType FromCode(ushort code) =>
        TryFromCode(code, out var type) ? type : throw new CaException(CaStatus.BadType, $"DBR type {code} is not supported");

    public override string ToString() => Class == DbrClass.Plain
        ? $"DBR_{Type.ToString().ToUpperInvariant()}"
        : $"DBR_{Class switch { DbrClass.Status => "STS", DbrClass.Time => "TIME", DbrClass.Graphic => "GR", _ => "CTRL" }}_{Type.ToString().ToUpperInvariant()}";
}
