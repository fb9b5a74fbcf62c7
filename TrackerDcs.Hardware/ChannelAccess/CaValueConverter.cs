using System.Globalization;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// Conversions between the CA field types, as a server does for a client asking for another DBR type
/// (the "DBR_STRING of a double" or "DBR_DOUBLE of an enum" a caget performs). Numeric conversions
/// saturate; strings convert to enums by label first, then by number.
/// </summary>
public static class CaValueConverter
{
    public static Type ClrType(CaType type) => type switch
    {
        CaType.String => typeof(string),
        CaType.Short => typeof(short),
        CaType.Float => typeof(float),
        CaType.Enum => typeof(ushort),
        CaType.Char => typeof(byte),
        CaType.Long => typeof(int),
        CaType.Double => typeof(double),
        _ => throw new CaException(CaStatus.BadType, $"field type {type} is not supported"),
    };

    /// <summary>Element size on the wire (db_access.h dbr_value_size; a string is MAX_STRING_SIZE = 40).</summary>
    public static int ElementSize(CaType type) => type switch
    {
        CaType.String => CaMessage.MaxStringSize,
        CaType.Short or CaType.Enum => 2,
        CaType.Float or CaType.Long => 4,
        CaType.Char => 1,
        CaType.Double => 8,
        _ => throw new CaException(CaStatus.BadType, $"field type {type} is not supported"),
    };

    /// <summary>Infers the CA type of a CLR value (scalar or array) a caller wants to put; long, uint, decimal and bool go as doubles.</summary>
    public static (CaType Type, Array Values) FromClr(object value)
    {
        if (value is string s) return (CaType.String, new[] { s });
        var values = value as Array ?? WrapScalar(value);
        var type = values.GetType().GetElementType() switch
        {
            var t when t == typeof(string) => CaType.String,
            var t when t == typeof(short) => CaType.Short,
            var t when t == typeof(float) => CaType.Float,
            var t when t == typeof(ushort) => CaType.Enum,
            var t when t == typeof(byte) => CaType.Char,
            var t when t == typeof(int) => CaType.Long,
            var t when t == typeof(double) => CaType.Double,
            var t when t == typeof(long) || t == typeof(uint) || t == typeof(decimal) || t == typeof(bool) => (CaType?)null,
            var t => throw new ArgumentException($"a {t} cannot be sent over Channel Access", nameof(value)),
        };
        if (type is { } known) return (known, values);
        var doubles = new double[values.Length];
        for (var i = 0; i < values.Length; i++) doubles[i] = System.Convert.ToDouble(values.GetValue(i), CultureInfo.InvariantCulture);
        return (CaType.Double, doubles);
    }

    private static Array WrapScalar(object value)
    {
        var array = Array.CreateInstance(value.GetType(), 1);
        array.SetValue(value, 0);
        return array;
    }

    /// <summary>Normalises a value held by a <see cref="ProcessVariable"/> to an array of its native CLR type.</summary>
    public static Array ToNative(object value, CaType type, IReadOnlyList<string> enumStrings)
    {
        var (from, values) = FromClr(value);
        return Convert(values, from, type, enumStrings, 0);
    }

    public static Array Convert(Array values, CaType from, CaType to, IReadOnlyList<string> enumStrings, short precision)
    {
        if (from == to) return values;
        var result = Array.CreateInstance(ClrType(to), values.Length);
        for (var i = 0; i < values.Length; i++)
            result.SetValue(ConvertElement(values.GetValue(i)!, from, to, enumStrings, precision), i);
        return result;
    }

    /// <exception cref="CaException">ECA_NOCONVERT: a string that is neither a label nor a number.</exception>
    public static object ConvertElement(object value, CaType from, CaType to, IReadOnlyList<string> enumStrings, short precision)
    {
        if (from == to) return value;
        if (to == CaType.String) return ToText(value, from, enumStrings, precision);
        var number = from == CaType.String
            ? Parse((string)value, enumStrings)
            : System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
        if (double.IsNaN(number) && to != CaType.Float && to != CaType.Double) number = 0;
        return to switch
        {
            CaType.Short => (object)(short)Math.Clamp(Math.Truncate(number), short.MinValue, short.MaxValue),
            CaType.Float => (float)number,
            CaType.Enum => (ushort)Math.Clamp(Math.Truncate(number), ushort.MinValue, ushort.MaxValue),
            CaType.Char => (byte)Math.Clamp(Math.Truncate(number), byte.MinValue, byte.MaxValue),
            CaType.Long => (int)Math.Clamp(Math.Truncate(number), int.MinValue, int.MaxValue),
            _ => (object)number,
        };
    }

    private static string ToText(object value, CaType from, IReadOnlyList<string> enumStrings, short precision) => from switch
    {
        CaType.Enum when (ushort)value < enumStrings.Count => enumStrings[(ushort)value],
        CaType.Float when precision > 0 => ((float)value).ToString("F" + precision, CultureInfo.InvariantCulture),
        CaType.Double when precision > 0 => ((double)value).ToString("F" + precision, CultureInfo.InvariantCulture),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static double Parse(string text, IReadOnlyList<string> enumStrings)
    {
        var trimmed = text.Trim();
        for (var i = 0; i < enumStrings.Count; i++)
            if (enumStrings[i] == trimmed) return i;
        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new CaException(CaStatus.NoConvert, $"'{text}' is neither a number nor one of [{string.Join(", ", enumStrings)}]");
    }
}
