using System.Globalization;
using System.Text.RegularExpressions;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// A number in a procedure file: a literal (<c>-30</c>), a parameter (<c>$cold</c>) or a parameter with one
/// operation and a literal (<c>$(cold + 0.5)</c>, <c>$(minutes * 60)</c>). No more than that: a procedure is
/// checked before it runs, and every value it can take must be visible from its parameters' bounds.
/// </summary>
public sealed partial record ProcedureValue(double? Literal, string? Parameter, char Op = '+', double Operand = 0)
{
    public static ProcedureValue Of(double literal) => new(literal, null);

    [GeneratedRegex(@"^\$(?:(?<p>[A-Za-z_]\w*)|\(\s*(?<p>[A-Za-z_]\w*)\s*(?:(?<op>[-+*/])\s*(?<n>[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*)?\))$")]
    private static partial Regex Reference();

    /// <summary>Parses the text; null when it is neither a number nor a parameter expression.</summary>
    public static ProcedureValue? TryParse(string text)
    {
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var literal) && double.IsFinite(literal)) return Of(literal);
        var match = Reference().Match(text);
        if (!match.Success) return null;
        return match.Groups["op"].Success
            ? new ProcedureValue(null, match.Groups["p"].Value, match.Groups["op"].Value[0], double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture))
            : new ProcedureValue(null, match.Groups["p"].Value);
    }

    public double Evaluate(IReadOnlyDictionary<string, double> parameters)
    {
        if (Literal is { } literal) return literal;
        var value = parameters[Parameter!];
        return Op switch { '+' => value + Operand, '-' => value - Operand, '*' => value * Operand, _ => value / Operand };
    }

    /// <summary>The largest value it can take with parameters within their bounds (for the maxV check).</summary>
    public double Largest(Procedure procedure)
    {
        if (Literal is { } literal) return literal;
        var p = procedure.Parameter(Parameter!)!;
        var ends = new[] { p.Min, p.Max }.Select(v => Evaluate(new Dictionary<string, double> { [Parameter!] = v }));
        return ends.Max();
    }

    public override string ToString() => Literal is { } l ? l.ToString(CultureInfo.InvariantCulture)
        : Operand == 0 && Op == '+' ? $"${Parameter}" : $"$({Parameter} {Op} {Operand.ToString(CultureInfo.InvariantCulture)})";
}

/// <summary>Text with parameter references (a command payload, a condition, a note), filled in when a run starts.</summary>
public sealed partial record ProcedureText(string Template)
{
    [GeneratedRegex(@"\$\([^)]*\)|\$[A-Za-z_]\w*")]
    private static partial Regex References();

    /// <summary>The references in the text, each with what it is (null: not a valid expression).</summary>
    public IEnumerable<(string Text, ProcedureValue? Value)> Parts() =>
        References().Matches(Template).Select(m => (m.Value, ProcedureValue.TryParse(m.Value)));

    public string Fill(IReadOnlyDictionary<string, double> parameters) =>
        References().Replace(Template, m => ProcedureValue.TryParse(m.Value)!.Evaluate(parameters).ToString(CultureInfo.InvariantCulture));

    public override string ToString() => Template;
}
