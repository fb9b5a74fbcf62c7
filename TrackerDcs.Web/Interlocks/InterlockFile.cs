using System.Globalization;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Hardware.Common;
using YamlDotNet.RepresentationModel;

namespace TrackerDcs.Web.Interlocks;

/// <summary>
/// Reads interlocks.yml through YamlDotNet's node model, which keeps lines, so a syntax error, an unknown
/// signal, key or action names its line and the process does not start with half a rule set.
/// </summary>
public static class InterlockFile
{
    private static readonly string[] Keys = ["name", "when", "for", "hysteresis", "actions", "refuse", "severity"];

    private static readonly Dictionary<string, InterlockAction> ActionNames = new()
    {
        ["hv_off"] = InterlockAction.HvOff,
        ["lv_off"] = InterlockAction.LvOff,
        ["chiller_stop"] = InterlockAction.ChillerStop,
        ["alarm"] = InterlockAction.Alarm,
    };

    public static IReadOnlyList<InterlockRule> Load(string path)
    {
        if (!File.Exists(path)) throw new InterlockFileException(path, 0, "file not found");
        var yaml = YamlFile.Load(File.ReadAllText(path), (line, problem) => new InterlockFileException(path, line, problem));
        if (yaml.Documents.Count == 0) return [];
        if (yaml.Documents[0].RootNode is not YamlMappingNode root || root.Children.Count != 1 ||
            !root.Children.TryGetValue(new YamlScalarNode("interlocks"), out var list))
            throw new InterlockFileException(path, Line(yaml.Documents[0].RootNode), "the file is one key, 'interlocks', with a list of rules");
        if (list is not YamlSequenceNode rules) throw new InterlockFileException(path, Line(list), "'interlocks' must be a list of rules");

        var parsed = new List<InterlockRule>();
        foreach (var node in rules)
        {
            var rule = Rule(path, node);
            if (parsed.Any(r => r.Name == rule.Name)) throw new InterlockFileException(path, rule.Line, $"a second rule named '{rule.Name}'");
            parsed.Add(rule);
        }
        return parsed;
    }

    private static InterlockRule Rule(string path, YamlNode node)
    {
        if (node is not YamlMappingNode map) throw new InterlockFileException(path, Line(node), "a rule is a mapping of name, when, for, actions …");
        var fields = new Dictionary<string, YamlNode>();
        foreach (var (key, value) in map.Children)
        {
            var keyName = ((YamlScalarNode)key).Value ?? "";
            if (!Keys.Contains(keyName)) throw new InterlockFileException(path, Line(key), $"unknown key '{keyName}' (one of {string.Join(", ", Keys)})");
            fields[keyName] = value;
        }
        string Text(string key) => fields.TryGetValue(key, out var n) && n is YamlScalarNode { Value: { Length: > 0 } v } ? v
            : throw new InterlockFileException(path, Line(fields.GetValueOrDefault(key) ?? map), $"'{key}' is required");
        double Number(string key, double fallback)
        {
            if (!fields.TryGetValue(key, out var n)) return fallback;
            return n is YamlScalarNode { Value: var v } && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0
                ? d : throw new InterlockFileException(path, Line(n), $"'{key}' must be a number ≥ 0");
        }
        List<string> Words(string key) => !fields.TryGetValue(key, out var n) ? []
            : n is YamlSequenceNode seq ? [.. seq.Select(i => ((i as YamlScalarNode)?.Value ?? throw new InterlockFileException(path, Line(i), $"'{key}' lists words")))]
            : throw new InterlockFileException(path, Line(n), $"'{key}' must be a list, e.g. [hv_off]");

        var name = Text("name");
        var when = Text("when");
        InterlockCondition condition;
        try
        {
            condition = InterlockCondition.Parse(when, Number("hysteresis", 0));
        }
        catch (FormatException e)
        {
            throw new InterlockFileException(path, Line(fields["when"]), $"rule '{name}': {e.Message}");
        }
        var actions = Words("actions").Select(a => ActionNames.TryGetValue(a, out var action) ? action
            : throw new InterlockFileException(path, Line(fields["actions"]), $"rule '{name}': unknown action '{a}' (one of {string.Join(", ", ActionNames.Keys)})")).ToList();
        var refuse = Words("refuse").Select(r => r.Split(' ', 2) is [var topic, var payload] ? new RefusedCommand(topic, payload) : new RefusedCommand(r, null)).ToList();
        if (actions.Count == 0 && refuse.Count == 0)
            throw new InterlockFileException(path, Line(map), $"rule '{name}' has neither actions nor refused commands");
        var severity = fields.ContainsKey("severity")
            ? Enum.TryParse<AlarmSeverity>(Text("severity"), true, out var s) ? s
                : throw new InterlockFileException(path, Line(fields["severity"]), $"rule '{name}': severity is warning or major")
            : AlarmSeverity.Major;
        return new InterlockRule(name, when, condition, TimeSpan.FromSeconds(Number("for", 0)), actions, refuse, severity, Line(map));
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;
}

public sealed class InterlockFileException(string path, int line, string problem) : Exception($"{path}:{line}: {problem}");
