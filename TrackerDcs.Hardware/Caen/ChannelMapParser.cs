using TrackerDcs.Hardware.Common;
using System.Globalization;
using TrackerDcs.Hardware.ChannelAccess;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// Reads channels.yml through YamlDotNet's node model, which keeps every node's line, so that each
/// error can name the line and key. Global lv/hv values apply to every channel, then per-channel ones.
/// </summary>
internal sealed class ChannelMapParser(string file)
{
    private enum Kind { Integer, Number, Mask, Enum }

    private sealed record Entry(object Value, int Line);

    private sealed record Key(Kind Kind, CaenField? Field);

    private static readonly string[] AddressKeys = ["board", "chan"];

    // The keys each side accepts, as the seed spells them: the board address, then every setting of the
    // field table (whose keys are the seed's names). Anything else is an unknown key.
    private static readonly Dictionary<PowerKind, Dictionary<string, Key>> Keys =
        Enum.GetValues<PowerKind>().ToDictionary(kind => kind, KeysOf);

    private static Dictionary<string, Key> KeysOf(PowerKind kind)
    {
        var keys = AddressKeys.ToDictionary(k => k, _ => new Key(Kind.Integer, null));
        foreach (var field in CaenFields.For(kind).Where(f => f.Setting is not null))
            keys[field.Key!] = new Key(field.Type switch { CaType.Long => Kind.Mask, CaType.Enum => Kind.Enum, _ => Kind.Number }, field);
        return keys;
    }

    // The name and the ids become MQTT topic levels, where these characters mean something else.
    private static readonly char[] TopicReserved = ['/', '+', '#'];

    public (string Name, IReadOnlyList<ChannelConfig> Channels) Parse(string text)
    {
        var root = LoadRoot(text);
        var fields = Fields(root, "the file", "name", "channels", "global");

        var name = "dcs";
        if (fields.TryGetValue("name", out var nameNode))
        {
            name = Scalar(nameNode, "name");
            if (name.Length == 0) throw Error(nameNode, "name", "must not be empty");
            if (name.IndexOfAny(TopicReserved) >= 0) throw Error(nameNode, "name", $"'{name}' cannot be an MQTT topic level (no /, + or #)");
        }

        Dictionary<string, Entry> globalLv = [], globalHv = [];
        if (fields.TryGetValue("global", out var globalNode))
        {
            var global = Fields(globalNode, "global", "lv", "hv");
            if (global.TryGetValue("lv", out var lv)) globalLv = Settings(lv, PowerKind.Lv, allowAddress: false);
            if (global.TryGetValue("hv", out var hv)) globalHv = Settings(hv, PowerKind.Hv, allowAddress: false);
        }

        if (!fields.TryGetValue("channels", out var channelsNode) || channelsNode is not YamlMappingNode channelMap)
            throw Error(channelsNode ?? root, "channels", "a mapping of channel ids is required");

        var channels = new List<ChannelConfig>();
        var usedLv = new Dictionary<(int, int), string>();
        var usedHv = new Dictionary<(int, int), string>();
        foreach (var (idNode, channelNode) in channelMap.Children)
        {
            var id = Scalar(idNode, "channel id");
            // A duplicate id is already refused by YamlDotNet as a duplicate key.
            if (id.Length == 0) throw Error(idNode, "channels", "a channel id must not be empty");
            if (id.IndexOfAny(TopicReserved) >= 0) throw Error(idNode, id, "a channel id ends MQTT topics (dcs/cmd/setv/lv/<id>): no /, + or #");
            channels.Add(Channel(id, channelNode, globalLv, globalHv, usedLv, usedHv));
        }
        return (name, channels);
    }

    private YamlNode LoadRoot(string text)
    {
        var stream = YamlFile.Load(text, (line, problem) => new ChannelMapException(file, line, null, problem));
        if (stream.Documents.Count == 0) throw new ChannelMapException(file, 1, null, "the file is empty");
        return stream.Documents[0].RootNode;
    }

    private ChannelConfig Channel(string id, YamlNode node, Dictionary<string, Entry> globalLv,
        Dictionary<string, Entry> globalHv, Dictionary<(int, int), string> usedLv, Dictionary<(int, int), string> usedHv)
    {
        var fields = Fields(node, $"channel {id}", "module", "lv", "hv");
        string? module = null;
        if (fields.TryGetValue("module", out var moduleNode))
        {
            module = moduleNode is YamlScalarNode { Value: { } v } ? v.Trim() : "";
            if (module.Length == 0) throw Error(moduleNode, "module", $"channel {id}: the module name is empty");
        }

        var lv = Merge(globalLv, fields, PowerKind.Lv, node, id);
        var hv = Merge(globalHv, fields, PowerKind.Hv, node, id);
        var lvSettings = new LvSettings(
            Int(lv, "board"), Int(lv, "chan"), Number(lv, "setV"), Number(lv, "maxI"), Number(lv, "ovVThr"),
            Number(lv, "unVThr"), Number(lv, "tripTime"), Int(lv, "tripInt"), Int(lv, "tripExt"),
            Number(lv, "rampUpTime"), Number(lv, "rampDwnTime"));
        var hvSettings = new HvSettings(
            Int(hv, "board"), Int(hv, "chan"), Number(hv, "setV"), Number(hv, "maxI"), Number(hv, "rampUpSpeed"),
            Number(hv, "rampDwnSpeed"), Number(hv, "tripTime"), Int(hv, "tripInt"), Int(hv, "tripExt"),
            (TripMode)(ushort)hv["tripMode"].Value, (ImRange)(ushort)hv["imRange"].Value,
            hv.TryGetValue("maxV", out var maxV) ? (double)maxV.Value : null);

        CheckAddress(PowerKind.Lv, lv, id, usedLv);
        CheckAddress(PowerKind.Hv, hv, id, usedHv);
        if (lvSettings.SetV > lvSettings.OvVThr)
            throw Error(lv["setV"].Line, "setV", $"channel {id}: LV setV {lvSettings.SetV} V is above ovVThr {lvSettings.OvVThr} V");
        if (hvSettings.MaxV is { } max && hvSettings.SetV > max)
        {
            // Name the key the channel itself changed: its own maxV under the global setV, else the setV.
            var ownMaxV = !globalHv.TryGetValue("maxV", out var global) || !ReferenceEquals(global, hv["maxV"]);
            var ownSetV = !globalHv.TryGetValue("setV", out global) || !ReferenceEquals(global, hv["setV"]);
            throw ownMaxV && !ownSetV
                ? Error(hv["maxV"].Line, "maxV", $"channel {id}: HV maxV {max} V is below its setV {hvSettings.SetV} V")
                : Error(hv["setV"].Line, "setV", $"channel {id}: HV setV {hvSettings.SetV} V is above maxV {max} V");
        }
        CheckBoardRanges(PowerKind.Lv, lv, id);
        CheckBoardRanges(PowerKind.Hv, hv, id);
        return new ChannelConfig(id, module, lvSettings, hvSettings);
    }

    /// <summary>Global values first, the channel's own on top; every key must end up with a value.</summary>
    private Dictionary<string, Entry> Merge(Dictionary<string, Entry> global, Dictionary<string, YamlNode> fields,
        PowerKind kind, YamlNode channelNode, string id)
    {
        var side = Side(kind);
        var merged = new Dictionary<string, Entry>(global);
        if (fields.TryGetValue(side, out var own))
            foreach (var (key, entry) in Settings(own, kind, allowAddress: true)) merged[key] = entry;
        foreach (var (key, expected) in Keys[kind])
            if (!merged.ContainsKey(key) && expected.Field?.Optional != true)
                throw Error(fields.GetValueOrDefault(side, channelNode), key, $"channel {id}: {side} has no value for '{key}' (neither global nor per channel)");
        return merged;
    }

    private void CheckAddress(PowerKind kind, Dictionary<string, Entry> values, string id, Dictionary<(int, int), string> used)
    {
        var (first, last, count) = CaenBoards.Range(kind);
        var side = Side(kind).ToUpperInvariant();
        var board = Int(values, "board");
        var chan = Int(values, "chan");
        if (board < first || board > last)
            throw Error(values["board"].Line, "board", $"channel {id}: {side} board {board} is out of range {first}–{last}");
        if (chan < 0 || chan >= count)
            throw Error(values["chan"].Line, "chan", $"channel {id}: {side} channel {chan} is out of range 0–{count - 1}");
        if (used.TryGetValue((board, chan), out var other))
            throw Error(values["chan"].Line, "chan", $"channel {id}: {side} board {board} channel {chan} is already used by channel {other}");
        used[(board, chan)] = id;
    }

    /// <summary>Each setting within what the board accepts (the field table's range), so that loading never fails half-way at the crate.</summary>
    private void CheckBoardRanges(PowerKind kind, Dictionary<string, Entry> values, string id)
    {
        foreach (var field in CaenFields.For(kind))
        {
            if (field.Key is not { } key || !values.TryGetValue(key, out var entry) || entry.Value is not (double or int)) continue;
            var value = Convert.ToDouble(entry.Value);
            if (value < field.Min || value > field.Max)
                throw Error(entry.Line, key, $"channel {id}: {Side(kind).ToUpperInvariant()} {key} {value} is outside the board's range {field.Min}–{field.Max} {field.Units}".TrimEnd());
        }
    }

    private Dictionary<string, Entry> Settings(YamlNode node, PowerKind kind, bool allowAddress)
    {
        var keys = Keys[kind];
        var settings = new Dictionary<string, Entry>();
        foreach (var (key, value) in Fields(node, Side(kind), keys.Keys.ToArray()))
        {
            if (!allowAddress && AddressKeys.Contains(key))
                throw Error(value, key, $"a hardware address belongs to a channel, not to global {Side(kind)}");
            settings[key] = new Entry(Value(value, key, keys[key]), Line(value));
        }
        return settings;
    }

    private object Value(YamlNode node, string key, Key expected)
    {
        var text = Scalar(node, key).Trim();
        var names = expected.Field?.EnumStrings ?? [];
        object? value = expected.Kind switch
        {
            Kind.Integer => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null,
            Kind.Number => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 ? d : null,
            Kind.Mask => ParseMask(text),
            // By name only, as the seed writes them: an index would silently mean something else if the order changed.
            _ => names.ToList().FindIndex(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is >= 0 and var index ? (ushort)index : null,
        };
        return value ?? throw Error(node, key, $"'{text}' is not {Expected(expected.Kind, names)}");
    }

    private static string Expected(Kind kind, IReadOnlyList<string> names) => kind switch
    {
        Kind.Integer => "an integer",
        Kind.Number => "a non-negative number",
        Kind.Mask => "a bit mask (0b…, 0x… or decimal)",
        _ => string.Join(" or ", names),
    };

    /// <summary>Bit masks as the seed writes them: 0b00010001, 0x11 or 17.</summary>
    internal static int? ParseMask(string text)
    {
        try
        {
            var value = text.ToLowerInvariant() switch
            {
                var t when t.StartsWith("0b") => Convert.ToInt32(t[2..], 2),
                var t when t.StartsWith("0x") => Convert.ToInt32(t[2..], 16),
                var t => int.Parse(t, NumberStyles.None, CultureInfo.InvariantCulture),
            };
            return value >= 0 ? value : null;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>A mapping's children by key; a key outside <paramref name="allowed"/> is an error.</summary>
    private Dictionary<string, YamlNode> Fields(YamlNode node, string what, params string[] allowed)
    {
        if (node is not YamlMappingNode mapping) throw Error(node, null, $"{what} must be a mapping");
        var fields = new Dictionary<string, YamlNode>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Scalar(keyNode, what);
            if (!allowed.Contains(key))
                throw Error(keyNode, key, $"unknown key in {what} (expected one of: {string.Join(", ", allowed)})");
            fields[key] = value;
        }
        return fields;
    }

    private string Scalar(YamlNode node, string key) =>
        node is YamlScalarNode scalar ? scalar.Value ?? "" : throw Error(node, key, "must be a single value");

    private static int Int(Dictionary<string, Entry> values, string key) => (int)values[key].Value;
    private static double Number(Dictionary<string, Entry> values, string key) => (double)values[key].Value;
    private static string Side(PowerKind kind) => kind == PowerKind.Lv ? "lv" : "hv";
    private static int Line(YamlNode node) => (int)node.Start.Line;

    private ChannelMapException Error(YamlNode node, string? key, string detail) => Error(Line(node), key, detail);
    private ChannelMapException Error(int line, string? key, string detail) => new(file, line, key, detail);
}
