using System.Globalization;
using TrackerDcs.Hardware.Common;
using YamlDotNet.RepresentationModel;

namespace TrackerDcs.Hardware.Marta;

/// <summary>
/// Reads the seed's register map format through YamlDotNet's node model, which keeps every node's line, so that
/// each error names the file, the line and the key:
/// <code>
/// registers:
///     NAME: { type: float32 | int | bool (default int), address: n, bit: 0–15 (bools only), input: true, deadband: d }
/// alarm_codes:
///     NAME: "message"      # NAME is a bool register
/// </code>
/// A register's addresses may not overlap another's: a float32 takes two, an int one, and bools share a register
/// only with other bools, on different bits.
/// </summary>
internal sealed class MartaMapParser(string file)
{
    private static readonly string[] RootKeys = ["registers", "alarm_codes"];
    private static readonly string[] RegisterKeys = ["type", "address", "bit", "input", "deadband"];
    private static readonly Dictionary<string, MartaRegisterType> Types = new()
    {
        ["int"] = MartaRegisterType.Int, ["float32"] = MartaRegisterType.Float32, ["bool"] = MartaRegisterType.Bool,
    };

    private string[] _lines = [];

    public MartaRegisterMap Parse(string text)
    {
        _lines = text.Split('\n');
        var stream = YamlFile.Load(text, (line, problem) => new MartaMapException(file, line, KeyOnLine(line), problem));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            throw new MartaMapException(file, 1, null, "the file is empty");
        var root = Fields(stream.Documents[0].RootNode, "the file", RootKeys);

        if (!root.TryGetValue("registers", out var registersEntry) || registersEntry.Value is not YamlMappingNode { Children.Count: > 0 } registerNodes)
            throw Error(registersEntry.Value ?? stream.Documents[0].RootNode, "registers", "a mapping of register names is required");
        var registers = new List<MartaRegister>();
        var byName = new Dictionary<string, MartaRegister>(StringComparer.Ordinal);
        foreach (var (nameNode, node) in registerNodes.Children)
        {
            var name = Scalar(nameNode, "registers").Trim();
            if (name.Length == 0) throw Error(nameNode, "registers", "a register name must not be empty");
            // YamlDotNet refuses duplicate keys while loading (reported with the key found on that line); this covers names equal once trimmed.
            if (byName.ContainsKey(name)) throw Error(nameNode, name, $"the register name is used twice (line {byName[name].Line} first)");
            var register = Register(name, nameNode, node);
            CheckOverlap(register, registers);
            registers.Add(register);
            byName[name] = register;
        }

        var alarms = new List<MartaAlarmCode>();
        if (root.TryGetValue("alarm_codes", out var alarmsEntry) && alarmsEntry.Value is not YamlScalarNode { Value: null or "" })
        {
            if (alarmsEntry.Value is not YamlMappingNode alarmNodes) throw Error(alarmsEntry.Value, "alarm_codes", "must be a mapping of register name → message");
            foreach (var (nameNode, messageNode) in alarmNodes.Children)
            {
                var name = Scalar(nameNode, "alarm_codes").Trim();
                if (!byName.TryGetValue(name, out var register)) throw Error(nameNode, name, "an alarm code names no register of the map");
                if (register.Type != MartaRegisterType.Bool) throw Error(nameNode, name, $"an alarm code names a bool register, and {name} is {register.Where}");
                if (alarms.Any(a => a.Register == register)) throw Error(nameNode, name, "the alarm code is given twice");
                alarms.Add(new MartaAlarmCode(register, Scalar(messageNode, name)));
            }
        }
        return new MartaRegisterMap(file, registers, alarms, Line(registersEntry.Key));
    }

    private MartaRegister Register(string name, YamlNode nameNode, YamlNode node)
    {
        var fields = Fields(node, $"register {name}", RegisterKeys);
        var type = MartaRegisterType.Int;
        if (fields.TryGetValue("type", out var typeEntry))
        {
            var text = Scalar(typeEntry.Value, "type").Trim();
            if (!Types.TryGetValue(text, out type))
                throw Error(typeEntry.Value, "type", $"register {name}: unknown type '{text}' (expected one of: {string.Join(", ", Types.Keys)})");
        }

        if (!fields.TryGetValue("address", out var addressEntry)) throw Error(nameNode, "address", $"register {name} has no address");
        var width = type == MartaRegisterType.Float32 ? 2 : 1;
        var address = Integer(addressEntry.Value, "address", name, 0, 0x10000 - width, type == MartaRegisterType.Float32 ? " (a float32 takes two registers)" : "");

        int? bit = null;
        if (fields.TryGetValue("bit", out var bitEntry))
        {
            if (type != MartaRegisterType.Bool) throw Error(bitEntry.Key, "bit", $"register {name}: only a bool has a bit, and this is {Types.First(t => t.Value == type).Key}");
            bit = Integer(bitEntry.Value, "bit", name, 0, 15, " (a register has 16 bits)");
        }
        else if (type == MartaRegisterType.Bool)
        {
            throw Error(nameNode, "bit", $"register {name}: a bool needs its bit (0–15)");
        }

        var input = false;
        if (fields.TryGetValue("input", out var inputEntry))
        {
            var text = Scalar(inputEntry.Value, "input").Trim();
            input = text.ToLowerInvariant() switch
            {
                "true" => true,
                "false" => false,
                _ => throw Error(inputEntry.Value, "input", $"register {name}: '{text}' is not true or false"),
            };
        }

        var deadband = 0.0;
        if (fields.TryGetValue("deadband", out var deadbandEntry))
        {
            var text = Scalar(deadbandEntry.Value, "deadband").Trim();
            // The seed writes "5." as well as "0.5".
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out deadband) || !double.IsFinite(deadband) || deadband < 0)
                throw Error(deadbandEntry.Value, "deadband", $"register {name}: '{text}' is not a non-negative number");
        }
        return new MartaRegister(name, type, (ushort)address, bit, input, deadband, Line(nameNode));
    }

    private void CheckOverlap(MartaRegister register, List<MartaRegister> earlier)
    {
        foreach (var other in earlier)
        {
            var overlaps = register.Address < other.Address + other.Width && other.Address < register.Address + register.Width;
            if (!overlaps) continue;
            if (register.Type == MartaRegisterType.Bool && other.Type == MartaRegisterType.Bool && register.Bit != other.Bit) continue;
            var why = register.Type == MartaRegisterType.Bool && other.Type == MartaRegisterType.Bool
                ? "bools of one register need different bits"
                : "only bools may share a register";
            throw Error(register.Line, "address", $"register {register.Name} ({register.Where}) overlaps {other.Name} ({other.Where}, line {other.Line}): {why}");
        }
    }

    private int Integer(YamlNode node, string key, string register, int min, int max, string why)
    {
        var text = Scalar(node, key).Trim();
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw Error(node, key, $"register {register}: '{text}' is not an integer");
        if (value < min || value > max)
            throw Error(node, key, $"register {register}: {value} is outside {min}–{max}{why}");
        return value;
    }

    /// <summary>A mapping's entries by key (with the key node, for its line); a key outside <paramref name="allowed"/> is an error.</summary>
    private Dictionary<string, KeyValuePair<YamlNode, YamlNode>> Fields(YamlNode node, string what, string[] allowed)
    {
        if (node is not YamlMappingNode mapping) throw Error(node, null, $"{what} must be a mapping (expected keys: {string.Join(", ", allowed)})");
        var fields = new Dictionary<string, KeyValuePair<YamlNode, YamlNode>>();
        foreach (var entry in mapping.Children)
        {
            var key = Scalar(entry.Key, what);
            if (!allowed.Contains(key)) throw Error(entry.Key, key, $"unknown key in {what} (expected one of: {string.Join(", ", allowed)})");
            fields[key] = entry;
        }
        return fields;
    }

    private string Scalar(YamlNode node, string key) =>
        node is YamlScalarNode scalar ? scalar.Value ?? "" : throw Error(node, key, "must be a single value");

    /// <summary>The key written on a line ("  name:" gives name), for YamlDotNet's errors, which give only the line.</summary>
    private string? KeyOnLine(int line)
    {
        if (line < 1 || line > _lines.Length) return null;
        var text = _lines[line - 1];
        var colon = text.IndexOf(':');
        var key = colon > 0 ? text[..colon].Trim().Trim('"', '\'') : "";
        return key.Length > 0 && !key.StartsWith('#') ? key : null;
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;
    private MartaMapException Error(YamlNode node, string? key, string detail) => Error(Line(node), key, detail);
    private MartaMapException Error(int line, string? key, string detail) => new(file, line, key, detail);
}
