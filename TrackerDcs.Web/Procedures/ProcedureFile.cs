using System.Globalization;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.Common;
using TrackerDcs.Web.Interlocks;
using YamlDotNet.RepresentationModel;

namespace TrackerDcs.Web.Procedures;

/// <summary>A procedure file cannot be used: file, line and key, so the author goes straight to it.</summary>
public sealed class ProcedureFileException(string file, int line, string? key, string detail) : YamlFileException(file, line, key, detail);

/// <summary>
/// Reads and validates one procedure file through YamlDotNet's node model (which keeps lines). Everything is
/// checked before anything runs: keys, step kinds, parameter bounds and references, conditions (the interlock
/// engine's parser and signal names), command topics (against the stand's commands) and HV set points
/// against the channel's maxV. A file either loads completely or throws <see cref="ProcedureFileException"/>.
/// </summary>
public sealed class ProcedureFile
{
    public static readonly IReadOnlyList<string> StepKinds = ["command", "wait_until", "wait", "chiller_ramp", "iv_scan", "repeat", "calibration", "note"];
    private static readonly string[] TopKeys = ["name", "description", "parameters", "fatal_alarms", "steps", "on_abort"];
    private static readonly string[] ParameterKeys = ["type", "unit", "min", "max", "default", "description"];
    /// <summary>Nesting of repeat steps; deeper is a mistake, not a procedure.</summary>
    private const int MaxDepth = 4;

    private readonly string _path;
    private readonly ProcedureRules _rules;
    private Procedure _procedure = null!;

    private ProcedureFile(string path, ProcedureRules rules)
    {
        _path = path;
        _rules = rules;
    }

    /// <summary>The procedure's name is its file's name without .yml (iv-scan.yml is iv-scan).</summary>
    public static string NameOf(string path) => Path.GetFileNameWithoutExtension(path);

    public static Procedure Load(string path, ProcedureRules rules)
    {
        if (!File.Exists(path)) throw new ProcedureFileException(path, 0, null, "file not found");
        return Parse(File.ReadAllText(path), path, rules);
    }

    public static Procedure Parse(string text, string path, ProcedureRules rules) => new ProcedureFile(path, rules).Read(text);

    private ProcedureFileException Fail(YamlNode node, string? key, string detail) => new(_path, Line(node), key, detail);

    private Procedure Read(string text)
    {
        var yaml = YamlFile.Load(text, (line, problem) => new ProcedureFileException(_path, line, null, problem));
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
            throw new ProcedureFileException(_path, yaml.Documents.Count == 0 ? 0 : Line(yaml.Documents[0].RootNode), null,
                "a procedure is a mapping of description, parameters, steps, on_abort …");
        var fields = Fields(root, TopKeys);
        var name = NameOf(_path);
        if (fields.TryGetValue("name", out var nameNode) && Scalar(nameNode, "name") != name)
            throw Fail(nameNode, "name", $"must be the file's name '{name}' (or be left out)");
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ProcedureFileException(_path, 0, null, $"the file name '{name}' is not a procedure name (letters, digits, - and _)");
        var description = fields.TryGetValue("description", out var d) ? Scalar(d, "description") : "";
        var parameters = fields.TryGetValue("parameters", out var p) ? Parameters(p) : [];
        var fatal = fields.TryGetValue("fatal_alarms", out var f) ? FatalAlarms(f) : [];
        // The steps refer to the parameters and check against their bounds: the procedure exists, without steps, first.
        _procedure = new Procedure(name, description, _path, parameters, [], [], fatal);
        if (!fields.TryGetValue("steps", out var stepsNode)) throw Fail(root, "steps", "is required");
        var steps = Steps(stepsNode, "steps", 0);
        if (steps.Count == 0) throw Fail(stepsNode, "steps", "has no steps");
        var onAbort = fields.TryGetValue("on_abort", out var a) ? Steps(a, "on_abort", MaxDepth) : DefaultOnAbort();
        return _procedure with { Steps = steps, OnAbort = onAbort };
    }

    /// <summary>HV off, then LV off: a module is never left biased without its front-end powered.</summary>
    private List<ProcedureStep> DefaultOnAbort() =>
        [new CommandStep(0, $"{_rules.CaenRoot}/cmd/switch/hv", new("off")), new CommandStep(0, $"{_rules.CaenRoot}/cmd/switch/lv", new("off"))];

    private Dictionary<string, YamlNode> Fields(YamlMappingNode map, IReadOnlyCollection<string> keys)
    {
        var fields = new Dictionary<string, YamlNode>();
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!keys.Contains(key)) throw Fail(keyNode, key, $"unknown key (one of {string.Join(", ", keys)})");
            fields[key] = value;
        }
        return fields;
    }

    private string Scalar(YamlNode node, string key) =>
        node is YamlScalarNode { Value: { } v } ? v : throw Fail(node, key, "must be a single value");

    private List<ProcedureParameter> Parameters(YamlNode node)
    {
        if (node is not YamlMappingNode map) throw Fail(node, "parameters", "must be a mapping of name: { type, unit, min, max, default }");
        var parameters = new List<ProcedureParameter>();
        foreach (var (keyNode, value) in map.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw Fail(keyNode, name, "a parameter name is letters, digits and _, starting with a letter");
            if (value is not YamlMappingNode spec) throw Fail(value, name, "must be a mapping of type, unit, min, max, default");
            var fields = Fields(spec, ParameterKeys);
            var type = !fields.TryGetValue("type", out var t) ? ParameterType.Number
                : Scalar(t, $"{name}.type") switch
                {
                    "number" => ParameterType.Number,
                    "integer" => ParameterType.Integer,
                    var other => throw Fail(t, $"{name}.type", $"unknown type '{other}' (number or integer)"),
                };
            double Number(string key) => fields.TryGetValue(key, out var n)
                ? double.TryParse(Scalar(n, $"{name}.{key}"), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
                    : throw Fail(n, $"{name}.{key}", "must be a number")
                : throw Fail(spec, $"{name}.{key}", "is required");
            var (min, max) = (Number("min"), Number("max"));
            if (min > max) throw Fail(fields["max"], $"{name}.max", $"is below min ({min.ToString(CultureInfo.InvariantCulture)})");
            var parameter = new ProcedureParameter(name, type, fields.TryGetValue("unit", out var u) ? Scalar(u, $"{name}.unit") : "",
                min, max, Number("default"), fields.TryGetValue("description", out var ds) ? Scalar(ds, $"{name}.description") : "");
            if (parameter.Check(parameter.Default) is { } problem) throw Fail(fields["default"], $"{name}.default", problem);
            if (type == ParameterType.Integer && (min != Math.Floor(min) || max != Math.Floor(max)))
                throw Fail(spec, name, "an integer parameter has whole-number bounds");
            parameters.Add(parameter);
        }
        return parameters;
    }

    private List<string> FatalAlarms(YamlNode node)
    {
        if (node is not YamlSequenceNode list) throw Fail(node, "fatal_alarms", "must be a list of alarm codes, e.g. [interlock, caen.trip]");
        return [.. list.Select(item =>
        {
            var code = Scalar(item, "fatal_alarms");
            return _rules.AlarmCodes.Contains(code) ? code
                : throw Fail(item, "fatal_alarms", $"unknown alarm code '{code}' (one of {string.Join(", ", _rules.AlarmCodes.Order())})");
        })];
    }

    private List<ProcedureStep> Steps(YamlNode node, string key, int depth)
    {
        if (node is not YamlSequenceNode list) throw Fail(node, key, "must be a list of steps");
        return [.. list.Select(item => Step(item, depth))];
    }

    private ProcedureStep Step(YamlNode node, int depth)
    {
        if (node is not YamlMappingNode { Children.Count: 1 } map)
            throw Fail(node, null, $"a step is one key: {string.Join(", ", StepKinds)}");
        var (keyNode, value) = map.Children.First();
        var kind = (keyNode as YamlScalarNode)?.Value ?? "";
        var line = Line(keyNode);
        return kind switch
        {
            "command" => Command(value, line),
            "wait_until" => WaitUntil(value, line),
            "wait" => new WaitStep(line, Value(value, "wait", atLeast: 0)),
            "chiller_ramp" => ChillerRamp(value, line),
            "repeat" => Repeat(value, line, depth),
            "calibration" => Calibration(value, line),
            "iv_scan" => IvScan(value, line),
            "note" => new NoteStep(line, Text(value, "note")),
            _ => throw Fail(keyNode, kind, $"unknown step (one of {string.Join(", ", StepKinds)})"),
        };
    }

    private CommandStep Command(YamlNode node, int line)
    {
        var text = Scalar(node, "command").Trim();
        var space = text.IndexOf(' ');
        var (topic, payload) = space < 0 ? (text, "") : (text[..space], text[(space + 1)..].Trim());
        if (topic.Contains('$')) throw Fail(node, "command", "the topic is fixed; parameters go in the payload");
        if (!_rules.IsCommand(topic)) throw Fail(node, "command", $"unknown command '{topic}'");
        var template = Text(node, "command", payload);
        if (_rules.HvChannel(topic) is { } channelId) CheckHvSetPoint(node, channelId, template);
        return new CommandStep(line, topic, template);
    }

    /// <summary>An HV set point the board would refuse, or one the procedure could make above the channel's maxV, never loads.</summary>
    private void CheckHvSetPoint(YamlNode node, string channelId, ProcedureText payload)
    {
        var channel = _rules.Channels?.Find(channelId) ?? throw Fail(node, "command", $"channel '{channelId}' is not in channels.yml");
        var value = ProcedureValue.TryParse(payload.Template)
            ?? throw Fail(node, "command", $"'{payload.Template}' is not a voltage (a number or a parameter)");
        var largest = value.Largest(_procedure);
        if (channel.Hv.MaxV is { } maxV && largest > maxV)
            throw Fail(node, "command", value.Literal is null
                ? FormattableString.Invariant($"HV set point {value} can reach {largest} V, above channel {channelId}'s maxV {maxV} V")
                : FormattableString.Invariant($"HV set point {largest} V is above channel {channelId}'s maxV {maxV} V"));
    }

    private WaitUntilStep WaitUntil(YamlNode node, int line)
    {
        if (node is not YamlMappingNode map) throw Fail(node, "wait_until", "must be a mapping of condition, stable_for, timeout");
        var fields = Fields(map, ["condition", "stable_for", "timeout"]);
        if (!fields.TryGetValue("condition", out var c)) throw Fail(map, "wait_until.condition", "is required");
        if (!fields.TryGetValue("timeout", out var t)) throw Fail(map, "wait_until.timeout", "is required: a wait without one could hold the stand forever");
        var condition = Text(c, "condition");
        try
        {
            // The interlock engine's parser and signal names; parameters as their defaults (their values only change numbers).
            InterlockCondition.Parse(condition.Fill(Defaults()), 0);
        }
        catch (FormatException e)
        {
            throw Fail(c, "condition", e.Message);
        }
        return new WaitUntilStep(line, condition,
            fields.TryGetValue("stable_for", out var s) ? Value(s, "stable_for", atLeast: 0) : ProcedureValue.Of(0),
            Value(t, "timeout", atLeast: 0, above: true));
    }

    private ChillerRampStep ChillerRamp(YamlNode node, int line)
    {
        if (node is not YamlMappingNode map) throw Fail(node, "chiller_ramp", "must be a mapping of to, rate, every, setpoint");
        var fields = Fields(map, ["to", "rate", "every", "setpoint"]);
        ProcedureValue Required(string key, double? atLeast = null, bool above = false) => fields.TryGetValue(key, out var n)
            ? Value(n, key, atLeast, above) : throw Fail(map, $"chiller_ramp.{key}", "is required");
        var setpoint = 1;
        if (fields.TryGetValue("setpoint", out var sp) && !(int.TryParse(Scalar(sp, "setpoint"), out setpoint) && setpoint is >= 1 and <= 3))
            throw Fail(sp, "setpoint", "is the chiller's set point 1, 2 or 3");
        return new ChillerRampStep(line, Required("to"), Required("rate", 0, above: true),
            fields.TryGetValue("every", out var e) ? Value(e, "every", atLeast: 1) : ProcedureValue.Of(30), setpoint);
    }

    private IvScanStep IvScan(YamlNode node, int line)
    {
        string[] keys = ["channels", "start", "stop", "step", "settle", "samples", "compliance", "breakdown_factor", "ramp_rate", "temperature"];
        if (node is not YamlMappingNode map) throw Fail(node, "iv_scan", $"must be a mapping of {string.Join(", ", keys)}");
        var fields = Fields(map, keys);
        YamlNode Required(string key) => fields.TryGetValue(key, out var n) ? n : throw Fail(map, $"iv_scan.{key}", "is required");
        var channelsNode = Required("channels");
        var modules = channelsNode is YamlScalarNode { Value: "modules" };
        if (!modules && channelsNode is not YamlSequenceNode { Children.Count: > 0 })
            throw Fail(channelsNode, "channels", "must be 'modules' (the run's modules) or a list of channel ids of channels.yml, e.g. [0, 1]");
        var items = channelsNode is YamlSequenceNode list ? list.Children : [];
        List<string>? channels = modules ? null : [.. items.Select(item => Scalar(item, "channels"))];
        var (start, stop) = (Value(Required("start"), "start", atLeast: 0), Value(Required("stop"), "stop", atLeast: 0));
        // With 'modules' the channels are known only when a run starts: its values are checked against their maxV then.
        foreach (var (item, id) in items.Zip(channels ?? []))
        {
            var channel = _rules.Channels?.Find(id) ?? throw Fail(item, "channels", $"channel '{id}' is not in channels.yml");
            var largest = Math.Max(start.Largest(_procedure), stop.Largest(_procedure));
            if (channel.Hv.MaxV is { } maxV && largest > maxV)
                throw Fail(fields["stop"], "stop", FormattableString.Invariant($"the scan can reach {largest} V, above channel {id}'s maxV {maxV} V"));
        }
        var samples = Value(Required("samples"), "samples", atLeast: 1);
        if (samples.Literal is { } n && n != Math.Floor(n)) throw Fail(fields["samples"], "samples", "must be a whole number");
        return new IvScanStep(line, channels, start, stop, Value(Required("step"), "step", atLeast: 0, above: true),
            Value(Required("settle"), "settle", atLeast: 0), samples, Value(Required("compliance"), "compliance", atLeast: 0, above: true),
            fields.TryGetValue("breakdown_factor", out var k) ? Value(k, "breakdown_factor", atLeast: 1, above: true) : null,
            fields.TryGetValue("ramp_rate", out var r) ? RampRate(r) : null,
            fields.TryGetValue("temperature", out var t) ? TemperatureSignal(t) : IvScanStep.DefaultTemperature);
    }

    /// <summary>An iv_scan's ramp rate: within the HV boards' RUp and RDWn bounds for every value its parameter allows.</summary>
    private ProcedureValue RampRate(YamlNode node)
    {
        var rate = Value(node, "ramp_rate", atLeast: CaenFields.RUp.Min);
        var largest = rate.Largest(_procedure);
        if (largest > CaenFields.RUp.Max)
            throw Fail(node, "ramp_rate", string.Create(CultureInfo.InvariantCulture,
                $"must be at most {CaenFields.RUp.Max} V/s (the HV boards' fastest ramp){(rate.Literal is null ? $", but {rate} can be {largest} within its parameter's bounds" : "")}"));
        return rate;
    }

    /// <summary>The signals that are no temperature: states and switches.</summary>
    private static readonly string[] NotNumbers =
        ["crate.state", "crate.hv_on", "crate.lv_on", "chiller.state", "switchbox.state", "switchbox.lv", "switchbox.hv", InterlockSignals.MartaState];

    /// <summary>An iv_scan's sensor temperature: an interlock signal with a number (a sensor box's field, the chiller, a MARTA register).</summary>
    private string TemperatureSignal(YamlNode node)
    {
        var name = Scalar(node, "temperature");
        if (InterlockSignals.Check(name) is { } unknown) throw Fail(node, "temperature", unknown);
        if (NotNumbers.Contains(name)) throw Fail(node, "temperature", $"{name} is not a number (a temperature signal is e.g. {IvScanStep.DefaultTemperature}, sensor.<box>.DS_temp, chiller.external)");
        return name;
    }

    private CalibrationStep Calibration(YamlNode node, int line)
    {
        if (node is not YamlMappingNode map) throw Fail(node, "calibration", "must be a mapping of name and timeout");
        var fields = Fields(map, ["name", "timeout"]);
        if (!fields.TryGetValue("name", out var n)) throw Fail(map, "calibration.name", "is required");
        if (!fields.TryGetValue("timeout", out var t)) throw Fail(map, "calibration.timeout", "is required");
        var name = Scalar(n, "name");
        if (!_rules.Calibrations.Contains(name))
            throw Fail(n, "name", $"unknown calibration '{name}' ({(_rules.Calibrations.Count == 0 ? "Runs:Calibrations has none" : "one of " + string.Join(", ", _rules.Calibrations.Order()))})");
        return new CalibrationStep(line, name, Value(t, "timeout", atLeast: 0, above: true));
    }

    private RepeatStep Repeat(YamlNode node, int line, int depth)
    {
        if (node is not YamlMappingNode map) throw Fail(node, "repeat", "must be a mapping of count and steps");
        if (depth >= MaxDepth) throw Fail(node, "repeat", $"not allowed here: repeats nest at most {MaxDepth} deep, and on_abort has none");
        var fields = Fields(map, ["count", "steps"]);
        if (!fields.TryGetValue("count", out var c)) throw Fail(map, "repeat.count", "is required");
        if (!fields.TryGetValue("steps", out var s)) throw Fail(map, "repeat.steps", "is required");
        var count = Value(c, "count", atLeast: 1);
        if (count.Literal is { } literal && literal != Math.Floor(literal)) throw Fail(c, "count", "must be a whole number");
        if (count.Parameter is { } p && _procedure.Parameter(p)!.Type != ParameterType.Integer)
            throw Fail(c, "count", $"parameter '{p}' must be of type integer to count repeats");
        var steps = Steps(s, "repeat.steps", depth + 1);
        if (steps.Count == 0) throw Fail(s, "repeat.steps", "has no steps");
        return new RepeatStep(line, count, steps);
    }

    /// <summary>A number or parameter expression, and within [atLeast, …) for every value its parameters allow.</summary>
    private ProcedureValue Value(YamlNode node, string key, double? atLeast = null, bool above = false)
    {
        var text = Scalar(node, key);
        var value = ProcedureValue.TryParse(text) ?? throw Fail(node, key, $"'{text}' is neither a number nor a parameter ($name or $(name + 1))");
        if (value.Parameter is { } name && _procedure.Parameter(name) is null) throw Fail(node, key, UnknownParameter(name));
        if (atLeast is { } floor)
        {
            var smallest = value.Literal ?? Math.Min(Evaluate(value, p => p.Min), Evaluate(value, p => p.Max));
            if (smallest < floor || above && smallest <= floor)
                throw Fail(node, key, string.Create(CultureInfo.InvariantCulture,
                    $"must be {(above ? "above" : "at least")} {floor}{(value.Literal is null ? $", but {value} can be {smallest} within its parameter's bounds" : "")}"));
        }
        return value;
    }

    private double Evaluate(ProcedureValue value, Func<ProcedureParameter, double> pick) =>
        value.Evaluate(new Dictionary<string, double> { [value.Parameter!] = pick(_procedure.Parameter(value.Parameter!)!) });

    private ProcedureText Text(YamlNode node, string key, string? text = null)
    {
        var template = new ProcedureText(text ?? Scalar(node, key));
        foreach (var (part, value) in template.Parts())
        {
            if (value is null) throw Fail(node, key, $"'{part}' is not a parameter expression ($name or $(name + 1))");
            if (_procedure.Parameter(value.Parameter!) is null) throw Fail(node, key, UnknownParameter(value.Parameter!));
        }
        return template;
    }

    private string UnknownParameter(string name) =>
        $"unknown parameter '{name}' ({(_procedure.Parameters.Count == 0 ? "the procedure has none" : "one of " + string.Join(", ", _procedure.Parameters.Select(p => p.Name)))})";

    private Dictionary<string, double> Defaults() => _procedure.Parameters.ToDictionary(p => p.Name, p => p.Default);

    private static int Line(YamlNode node) => (int)node.Start.Line;
}
