using System.Globalization;

namespace TrackerDcs.Hardware.Marta;

/// <summary>
/// One register's value as read: a float32 widened to double (exactly: <c>(float)Number</c> gives the value
/// back, and its shortest text), an int 0–65535, or a bool as 0 or 1. NaN is a possible float32 (a PLC's
/// broken sensor) and equals itself here, so an unchanged NaN is no change.
/// </summary>
public readonly record struct MartaValue(MartaRegisterType Type, double Number)
{
    public bool IsTrue => Number != 0;

    public override string ToString() => Type switch
    {
        MartaRegisterType.Float32 => ((float)Number).ToString(CultureInfo.InvariantCulture),
        _ => Number.ToString(CultureInfo.InvariantCulture),
    };
}
