using System.Globalization;

namespace TrackerDcs.Web.Interlocks;

/// <summary>
/// A rule's condition: comparisons of signals with values, joined by `and` (binding tighter) and `or`,
/// e.g. <c>crate.hv_on and chiller.state != ON</c>. A numeric comparison holds its state over a band:
/// once true, <c>margin &lt; 1</c> with hysteresis 0.5 stays true until the margin reaches 1.5, so a value
/// hovering at the threshold does not switch the interlock on and off.
/// </summary>
public sealed class InterlockCondition
{
    private sealed record Comparison(string Signal, string? Op, string? Value);

    private readonly List<List<Comparison>> _anyOf; // or of ands
    private readonly double _hysteresis;

    private InterlockCondition(List<List<Comparison>> anyOf, double hysteresis)
    {
        _anyOf = anyOf;
        _hysteresis = hysteresis;
        Signals = [.. anyOf.SelectMany(a => a).Select(c => c.Signal).Distinct()];
    }

    public IReadOnlyList<string> Signals { get; }

    private static readonly string[] Operators = ["<=", ">=", "!=", "==", "<", ">"];

    /// <summary>Parses the text; throws FormatException with what is wrong.</summary>
    public static InterlockCondition Parse(string text, double hysteresis)
    {
        var anyOf = new List<List<Comparison>>();
        foreach (var alternative in Split(text, "or"))
        {
            var all = new List<Comparison>();
            foreach (var term in Split(alternative, "and"))
            {
                var tokens = term.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var comparison = tokens switch
                {
                    [var signal] => new Comparison(signal, null, null),
                    [var signal, var op, var value] when Operators.Contains(op) => new Comparison(signal, op, value),
                    [_, var op, _] => throw new FormatException($"unknown operator '{op}' in '{term}' (one of {string.Join(' ', Operators)})"),
                    _ => throw new FormatException($"'{term}' is not '<signal>', or '<signal> <operator> <value>'"),
                };
                if (InterlockSignals.Check(comparison.Signal) is { } problem) throw new FormatException(problem);
                all.Add(comparison);
            }
            anyOf.Add(all);
        }
        return new InterlockCondition(anyOf, hysteresis);
    }

    private static IEnumerable<string> Split(string text, string word)
    {
        var parts = $" {text} ".Split($" {word} ", StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0)) throw new FormatException($"'{word}' needs a comparison on each side in '{text.Trim()}'");
        return parts;
    }

    /// <summary>Evaluates with the rule's current state (<paramref name="active"/> widens numeric thresholds by the hysteresis).</summary>
    public bool Evaluate(Func<string, object?> read, bool active) =>
        _anyOf.Any(all => all.All(c => Holds(c, read(c.Signal), active)));

    private bool Holds(Comparison c, object? value, bool active)
    {
        if (c.Op is null) return value is true;
        switch (value)
        {
            case null:
                return false;
            case double number when double.TryParse(c.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var limit):
                var band = active ? _hysteresis : 0;
                return c.Op switch
                {
                    "<" => number < limit + band,
                    "<=" => number <= limit + band,
                    ">" => number > limit - band,
                    ">=" => number >= limit - band,
                    "==" => number == limit,
                    _ => number != limit,
                };
            case bool flag when bool.TryParse(c.Value, out var expected):
                return c.Op == "==" ? flag == expected : c.Op == "!=" && flag != expected;
            default:
                var equal = string.Equals(Convert.ToString(value, CultureInfo.InvariantCulture), c.Value, StringComparison.OrdinalIgnoreCase);
                return c.Op == "==" ? equal : c.Op == "!=" && !equal;
        }
    }
}
