using System.Globalization;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>How the panel writes a reading: invariant digits, the unit after a space, a dash for no value.</summary>
public static class Reading
{
    /// <summary>
    /// A value rounded to <paramref name="format"/>; noise around zero (-0.004 at "0.00") shows as 0, not "-0.00",
    /// which an operator reads as a sign that means something. No value, NaN or infinity: "—".
    /// </summary>
    public static string Format(double? value, string format, string unit = "")
    {
        if (value is not { } v || !double.IsFinite(v)) return "—";
        var text = v.ToString(format, CultureInfo.InvariantCulture);
        if (text.StartsWith('-') && text.Trim('-', '0', '.').Length == 0) text = text[1..];
        return unit.Length > 0 ? $"{text} {unit}" : text;
    }
}
