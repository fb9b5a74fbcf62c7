using System.Globalization;

namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// Lenient reading of a PV value: a client may put a number as any CA type or as text, and an enum as its
/// index or its string (as caput does), so each is accepted in every form that means the same.
/// </summary>
public static class PvValues
{
    public static double? ToDouble(object? value) => value switch
    {
        null => null,
        string s => double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
        IConvertible c when value is not bool => c.ToDouble(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>The enum index meant by <paramref name="value"/>: a number in range or one of <paramref name="strings"/>.</summary>
    public static ushort? ToEnumIndex(object? value, IReadOnlyList<string> strings)
    {
        if (value is string s)
        {
            var index = strings.ToList().FindIndex(e => e.Equals(s.Trim(), StringComparison.OrdinalIgnoreCase));
            if (index >= 0) return (ushort)index;
        }
        return ToDouble(value) is { } d && d == Math.Floor(d) && d >= 0 && d < strings.Count ? (ushort)d : null;
    }
}
