using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using KeyKind = TrackerDcs.Web.TimeSeries.PointMapper.KeyKind;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// One rule's JSON payloads straight to the v1 encoder's line protocol, without a <see cref="TimePoint"/>: keys are
/// looked up by their UTF-8 bytes and written as escaped once, numbers are parsed and formatted into the batch, no
/// string and no boxed value per message. The line is the one <see cref="LineProtocol.Append"/> makes of the mapper's
/// point (LineProtocolTests compare the two). Only the plain case is taken: a payload with anything the mapper would
/// report or treat specially (a problem, a key twice, JSON escapes, a nested value, no field) is refused here, and the
/// caller maps it the general way, problems and all. Rules with a merge window, a dew point or topic tags have no
/// direct path. Not thread-safe, as the mapper.
/// </summary>
internal sealed class DirectLines
{
    /// <summary>A key of the payload as the rule sees it, its escaped bytes, and the last message it was seen in.</summary>
    private sealed class LineKey(string name, KeyKind kind)
    {
        public string Name { get; } = name;
        public KeyKind Kind { get; } = kind;
        public byte[] Escaped { get; } = LineProtocol.Escaped(name, escapeEqual: true);
        public byte[] Utf8 { get; } = Encoding.UTF8.GetBytes(name);
        public long Seen;
        /// <summary>The key that followed this one in the last payload: a publisher sends its keys in the same order.</summary>
        public LineKey? Next;
    }

    // As the mapper's caches: beyond this many keys, unknown keys take the general path.
    private const int MaxKeys = 16384;

    private readonly byte[] _measurement;
    private readonly Dictionary<byte[], LineKey> _keys = new(ByteKeys.Instance);
    private readonly Dictionary<byte[], LineKey>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    // Scratch for one message: the tags (sorted when written), their escaped values, the fields as they will appear.
    private LineKey[] _tagKeys = new LineKey[8];
    private (int Start, int Length)[] _tagValues = new (int, int)[8];
    private readonly LineBatch _tagText = new(1024);
    private readonly LineBatch _fieldText = new(4096);
    private long _message;

    private DirectLines(MappingRule rule)
    {
        _measurement = LineProtocol.Escaped(rule.Measurement, escapeEqual: false);
        _lookup = _keys.GetAlternateLookup<ReadOnlySpan<byte>>();
        foreach (var (name, key) in PointMapper.KeysOf(rule)) _keys[Encoding.UTF8.GetBytes(name)] = new LineKey(name, key.Kind);
    }

    // The first key of the last payload, for the guess in KeyOf.
    private LineKey? _first;

    public static DirectLines? For(MappingRule rule) =>
        rule is { Format: PayloadFormat.Json, DewPoint: null, TopicTags.Count: 0 } && rule.MergeWindow <= TimeSpan.Zero ? new DirectLines(rule) : null;

    /// <summary>The payload's line, appended to <paramref name="lines"/>; false (and nothing written): map it the general way.</summary>
    public bool TryWrite(ReadOnlySpan<byte> payload, long timeMs, LineBatch lines)
    {
        var message = ++_message;
        _tagText.DiscardLine();
        _fieldText.DiscardLine();
        var tags = 0;
        LineKey? previous = null;
        var reader = new Utf8JsonReader(payload);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueIsEscaped || KeyOf(previous, reader.ValueSpan) is not { } key || key.Seen == message) return false;
                key.Seen = message;
                previous = key;
                reader.Read();
                var token = reader.TokenType;
                // The mapper's order of checks (PointMapper.ReadJson): null, nested, tag, string, boolean, number.
                if (token == JsonTokenType.Null) continue;
                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray) return false;
                var value = reader.ValueSpan;
                if (key.Kind.HasFlag(KeyKind.Tag))
                {
                    if (reader.ValueIsEscaped || !Utf8.IsValid(value)) return false;
                    // An empty tag key or value is left out of the line.
                    if (key.Escaped.Length == 0 || value.Length == 0) continue;
                    if (tags == _tagKeys.Length)
                    {
                        Array.Resize(ref _tagKeys, tags * 2);
                        Array.Resize(ref _tagValues, tags * 2);
                    }
                    var start = _tagText.Pending.Length;
                    LineProtocol.EscapeUtf8(_tagText, value);
                    (_tagKeys[tags], _tagValues[tags]) = (key, (start, _tagText.Pending.Length - start));
                    tags++;
                    continue;
                }
                if (key.Kind.HasFlag(KeyKind.String))
                {
                    // Unescaped JSON text holds neither '"' nor '\': nothing to escape for the line protocol.
                    if (token != JsonTokenType.String || reader.ValueIsEscaped || !Utf8.IsValid(value)) return false;
                    Field(key);
                    LineProtocol.Write(_fieldText, "\""u8);
                    LineProtocol.Write(_fieldText, value);
                    LineProtocol.Write(_fieldText, "\""u8);
                    continue;
                }
                if (key.Kind.HasFlag(KeyKind.Boolean))
                {
                    if (token is not (JsonTokenType.True or JsonTokenType.False)) return false;
                    Field(key);
                    LineProtocol.Write(_fieldText, token == JsonTokenType.True ? "true"u8 : "false"u8);
                    continue;
                }
                switch (token)
                {
                    case JsonTokenType.Number when Canonical(value, key.Kind) is var canonical && canonical != 0:
                        // The text is what formatting its number would give: copied, not parsed and formatted again.
                        Field(key);
                        LineProtocol.Write(_fieldText, value);
                        if (canonical != (byte)'f') LineProtocol.Write(_fieldText, [canonical]);
                        break;
                    case JsonTokenType.Number:
                        if (!reader.TryGetDouble(out var number) || !double.IsFinite(number)) return false;
                        if (key.Kind.HasFlag(KeyKind.Integer))
                        {
                            if (number is not (>= long.MinValue and < 9.2233720368547758E18)) return false;
                            Field(key);
                            LineProtocol.Format(_fieldText, (long)Math.Round(number));
                            LineProtocol.Write(_fieldText, "i"u8);
                        }
                        else if (key.Kind.HasFlag(KeyKind.Unsigned))
                        {
                            if (number is not (>= 0 and < 1.8446744073709552E19)) return false;
                            Field(key);
                            LineProtocol.Format(_fieldText, (ulong)Math.Round(number));
                            LineProtocol.Write(_fieldText, "u"u8);
                        }
                        else
                        {
                            Field(key);
                            LineProtocol.Format(_fieldText, number);
                        }
                        break;
                    case JsonTokenType.String when key.Kind.HasFlag(KeyKind.Ignored):
                        break;
                    case JsonTokenType.String:
                        return false; // a problem to report: the general path does
                    // Booleans not named as such are ignored, as by the mapper.
                }
            }
            while (reader.Read()) { }
        }
        catch (JsonException)
        {
            return false;
        }
        if (_fieldText.Pending.Length == 0) return false;
        LineProtocol.Write(lines, _measurement);
        WriteTags(lines, tags);
        LineProtocol.Write(lines, " "u8);
        LineProtocol.Write(lines, _fieldText.Pending);
        LineProtocol.Write(lines, " "u8);
        LineProtocol.Format(lines, timeMs);
        lines.EndLine();
        return true;
    }

    /// <summary>
    /// Whether a JSON number's text is already what the encoder would write for the field: 'f' for a float (plain
    /// decimal, no exponent, no trailing zero after the point, at most 15 significant digits, so that it is exactly
    /// the shortest text of its double, and a decimal exponent from -4 to 14, where .NET writes no exponent either),
    /// 'i' or 'u' for an integer or unsigned field (plain digits, at most 15, so the double holds them exactly); 0 when
    /// the number has to be parsed and formatted. Negative zero is left to the formatting ("-0" gives 0i, -0).
    /// </summary>
    internal static byte Canonical(ReadOnlySpan<byte> text, KeyKind kind)
    {
        var integer = kind.HasFlag(KeyKind.Integer);
        var unsigned = !integer && kind.HasFlag(KeyKind.Unsigned);
        var digits = text;
        if (digits.Length > 0 && digits[0] == (byte)'-')
        {
            if (unsigned) return 0;
            digits = digits[1..];
        }
        var point = digits.IndexOf((byte)'.');
        var whole = point < 0 ? digits : digits[..point];
        var fraction = point < 0 ? [] : digits[(point + 1)..];
        if (whole.Length == 0 || (whole.Length > 1 && whole[0] == (byte)'0') || whole.ContainsAnyExceptInRange((byte)'0', (byte)'9') || fraction.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return 0;
        if (integer || unsigned)
        {
            if (point >= 0 || whole.Length > 15 || (whole is [(byte)'0'] && digits.Length != text.Length)) return 0;
            return integer ? (byte)'i' : (byte)'u';
        }
        if (point >= 0 && (fraction.Length == 0 || fraction[^1] == (byte)'0')) return 0;
        if (whole is [(byte)'0'])
        {
            // 0.000ddd: the exponent is minus the position of the first non-zero digit.
            var leading = fraction.IndexOfAnyExcept((byte)'0');
            if (leading < 0) return fraction.Length == 0 && digits.Length == text.Length ? (byte)'f' : (byte)0; // "0"; not "-0"
            return leading < 4 && fraction.Length - leading <= 15 ? (byte)'f' : (byte)0;
        }
        return whole.Length <= 15 && whole.Length + fraction.Length <= 15 ? (byte)'f' : (byte)0;
    }

    private void Field(LineKey key)
    {
        if (_fieldText.Pending.Length > 0) LineProtocol.Write(_fieldText, ","u8);
        LineProtocol.Write(_fieldText, key.Escaped);
        LineProtocol.Write(_fieldText, "="u8);
    }

    /// <summary>Sorted by key as the mapper sorts them (ordinal over the strings), a handful per point: insertion sort.</summary>
    private void WriteTags(LineBatch lines, int count)
    {
        for (var i = 1; i < count; i++)
            for (var j = i; j > 0 && string.CompareOrdinal(_tagKeys[j - 1].Name, _tagKeys[j].Name) > 0; j--)
            {
                (_tagKeys[j - 1], _tagKeys[j]) = (_tagKeys[j], _tagKeys[j - 1]);
                (_tagValues[j - 1], _tagValues[j]) = (_tagValues[j], _tagValues[j - 1]);
            }
        var text = _tagText.Pending;
        for (var i = 0; i < count; i++)
        {
            LineProtocol.Write(lines, ","u8);
            LineProtocol.Write(lines, _tagKeys[i].Escaped);
            LineProtocol.Write(lines, "="u8);
            LineProtocol.Write(lines, text.Slice(_tagValues[i].Start, _tagValues[i].Length));
        }
    }

    /// <summary>The key after <paramref name="previous"/> (null: the first); the one that followed it last time is tried before the dictionary.</summary>
    private LineKey? KeyOf(LineKey? previous, ReadOnlySpan<byte> utf8)
    {
        var guess = previous is null ? _first : previous.Next;
        if (guess is not null && utf8.SequenceEqual(guess.Utf8)) return guess;
        if (!_lookup.TryGetValue(utf8, out var key))
        {
            if (_keys.Count >= MaxKeys || !Utf8.IsValid(utf8)) return null;
            key = new LineKey(Encoding.UTF8.GetString(utf8), KeyKind.None);
            _keys[utf8.ToArray()] = key;
        }
        if (previous is null) _first = key;
        else previous.Next = key;
        return key;
    }

    /// <summary>Byte arrays by content, looked up from spans.</summary>
    private sealed class ByteKeys : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteKeys Instance = new();
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] bytes) => GetHashCode((ReadOnlySpan<byte>)bytes);
        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }
        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
