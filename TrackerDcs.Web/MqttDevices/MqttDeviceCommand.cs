using System.Text.RegularExpressions;

namespace TrackerDcs.Web.MqttDevices;

/// <summary>
/// One command topic of a device that speaks MQTT itself, and the payloads it accepts: exact strings
/// (<see cref="Payloads"/>), regular expressions that must match the whole payload (<see cref="Patterns"/>), and
/// read-only queries (<see cref="Queries"/>, such as STATUS?), which pass without an audit row. Anything else is
/// refused, naming what the topic accepts, and never reaches the device.
/// </summary>
public sealed class MqttDeviceCommand
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);
    private Regex[]? _patterns;

    /// <summary>The command topic, below the device's root: <c>&lt;root&gt;/cmd</c> or <c>&lt;root&gt;/cmd/…</c>.</summary>
    public string Topic { get; set; } = "";
    public List<string> Payloads { get; set; } = [];
    public List<string> Patterns { get; set; } = [];
    public List<string> Queries { get; set; } = [];

    public bool IsQuery(string payload) => Queries.Contains(payload.Trim(), StringComparer.Ordinal);

    /// <summary>Null when the topic accepts this payload, else why not.</summary>
    public string? Refusal(string payload)
    {
        var text = payload.Trim();
        if (Payloads.Contains(text, StringComparer.Ordinal) || IsQuery(text)) return null;
        try
        {
            if (Compiled().Any(p => p.IsMatch(text))) return null;
        }
        catch (RegexMatchTimeoutException)
        {
            return $"payload '{payload}' took too long to check against the patterns of {Topic}";
        }
        return $"payload '{payload}' is not accepted on {Topic} (accepted: {Accepted()})";
    }

    private string Accepted() => string.Join(", ", [.. Payloads, .. Patterns.Select(p => $"/{p}/"), .. Queries]);

    // Anchored: a pattern describes the whole payload, so "CH[0-9]+\|ON" does not also pass "CH5|ON; LV|OFF".
    private Regex[] Compiled() => _patterns ??= [.. Patterns.Select(p => new Regex($"^(?:{p})$", RegexOptions.CultureInvariant, MatchTimeout))];

    /// <summary>Problems of this declaration, each starting with the key below the command it is about.</summary>
    public IEnumerable<string> Validate(string root)
    {
        if (Topic != $"{root}/cmd" && !Topic.StartsWith($"{root}/cmd/", StringComparison.Ordinal))
            yield return $"Topic '{Topic}' must be {root}/cmd or below it (commands live below <root>/cmd)";
        if (Topic.Contains('#')) yield return $"Topic '{Topic}' may not contain #";
        if (Payloads.Count + Patterns.Count + Queries.Count == 0) yield return "Payloads: accepts nothing (give Payloads, Patterns or Queries)";
        for (var i = 0; i < Patterns.Count; i++)
        {
            string? problem = null;
            try { _ = new Regex(Patterns[i]); }
            catch (ArgumentException e) { problem = $"Patterns:{i}: '{Patterns[i]}' is not a regular expression: {e.Message}"; }
            if (problem is not null) yield return problem;
        }
    }
}
