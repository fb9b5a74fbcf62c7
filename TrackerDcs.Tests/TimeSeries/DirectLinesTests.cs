using System.Text;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

/// <summary>
/// The mapper's direct path (JSON straight to line protocol, for rules without a merge window) writes the same lines
/// and reports the same problems as mapping to points and encoding them (whose lines LineProtocolTests compare with
/// PointData's); payloads it does not take fall back to the general path.
/// </summary>
public class DirectLinesTests
{
    private const long T = 1_764_000_000_123;

    private static readonly MappingRule[] Rules =
    [
        new()
        {
            Topic = "t/#", Measurement = "my meas,x=y",
            TagKeys = ["id", "tag key", "a,b", "num", "flag", "ü", "dup"],
            StringFields = ["state", "s p", "dup"],
            BooleanFields = ["on", "b=1"],
            IntegerFields = ["count", "big"],
            UnsignedFields = ["u"],
            IgnoredFields = ["note"],
        },
        new() { Topic = "t/+", Measurement = "second", StringFields = ["state"] },
    ];

    private static (List<string> Lines, List<string> Problems, int Fallbacks) General(string topic, byte[] payload)
    {
        var mapper = new PointMapper(Rules);
        var (points, problems) = (new List<TimePoint>(), new List<string>());
        mapper.Map(topic, payload, T, points, problems);
        using var batch = new LineBatch(16);
        foreach (var point in points) LineProtocol.Append(batch, point);
        return (batch.Lines(), problems, points.Count);
    }

    private static (List<string> Lines, List<string> Problems, int Fallbacks) Direct(PointMapper mapper, string topic, byte[] payload)
    {
        var problems = new List<string>();
        var fallbacks = 0;
        using var batch = new LineBatch(16);
        mapper.Map(topic, payload, T, batch, (lines, point) =>
        {
            fallbacks++;
            LineProtocol.Append(lines, point);
        }, problems);
        return (batch.Lines(), problems, fallbacks);
    }

    public static TheoryData<string> Payloads() =>
    [
        """{"id":"0","module":"module_0","lv_vMon":12.005,"count":3,"state":"HV_ON","on":true,"u":7,"note":"x"}""",
        """{"tag key":"a b,c=d","a,b":"x","num":12.50,"flag":false,"ü":"€😀","s p":"text with spaces, commas=and ü","b=1":false,"f=1 ,x":1e-7}""",
        """{"id":"","v":-0.0,"w":1E21,"x":0.1,"y":123456789012345678,"z":199.95,"count":-2.5,"big":12.5,"u":0.4}""",
        """{"id":"z","v":1,"id":"a"}""",
        """{"dup":"tag wins","v":1}""",
        """{"v":1,"v":2}""",
        """{"state":"say \"hi\" \\ back","v":1}""",
        """{"id":"esc\u0041ped","v":1}""",
        """{"k\u0065y":1}""",
        """{"v":1e400}""",
        """{"count":1e19,"v":1}""",
        """{"u":-1,"v":1}""",
        """{"state":3,"v":1}""",
        """{"on":"yes","v":1}""",
        """{"v":"text"}""",
        """{"v":{"nested":1},"w":2}""",
        """{"v":[1,2],"w":2}""",
        """{"v":null,"w":null}""",
        """{"id":null,"v":1}""",
        """{"id":"only a tag"}""",
        """{"unnamed":true,"v":1}""",
        """[1,2]""",
        """3""",
        """{"v":1} trailing""",
        """{"v":1""",
        "",
        """{}""",
        """{"num":12.50,"flag":true,"v":5}""",
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void The_direct_path_writes_what_the_general_path_writes(string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        var general = General("t/x", bytes);
        var direct = Direct(new PointMapper(Rules), "t/x", bytes);
        Assert.Equal(general.Lines, direct.Lines);
        Assert.Equal(general.Problems, direct.Problems);
    }

    [Fact]
    public void Plain_payloads_take_the_direct_path_and_invalid_utf8_does_not()
    {
        var mapper = new PointMapper(Rules);
        Assert.Equal(0, Direct(mapper, "t/x/y", """{"id":"0","v":1.5,"state":"ON","count":2}"""u8.ToArray()).Fallbacks);
        // A tag value that is not UTF-8: the general path replaces it (U+FFFD), as before.
        byte[] invalid = [.. "{\"id\":\""u8, 0xC3, 0x28, .. "\",\"v\":1}"u8];
        var direct = Direct(mapper, "t/x/y", invalid);
        Assert.Equal(1, direct.Fallbacks);
        Assert.Equal(General("t/x/y", invalid).Lines, direct.Lines);
    }

    /// <summary>Random payloads from awkward pieces; the seed is printed so that a failure can be replayed.</summary>
    [Fact]
    public void Random_payloads_give_the_same_lines_and_problems_on_both_paths()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        string[] keys = ["id", "tag key", "a,b", "num", "flag", "ü", "dup", "state", "s p", "on", "b=1", "count", "big", "u", "note", "v", "w x", "k=v,é"];
        string[] values =
        [
            "0", "1", "-1", "12.005", "1.50", "-0.0", "0.1", "1e-7", "1E21", "123456789012345678", "199.95", "2.5", "-2.5", "1e400",
            "9.3e18", "1.9e19", "0.00001", "0.0001", "0.000123456789012345", "0.00123456789012345", "0.001234567890123456", "100000000000000",
            "1000000000000000", "123456789012345", "1234567890123456", "12345678901234.5", "1234567890123.45", "-0", "0", "-12.5",
            "-0.0001", "0.30000000000000004", "5e-324", "1.7976931348623157e308", "-9223372036854775808", "999999999999999", "true", "false", "null", "\"HV_ON\"",
            "\"a b,c=d\"", "\"\"", "\"say \\\"hi\\\"\"", "\"ü€😀\"", "\"x\\u0041\"", "{\"n\":1}", "[1]",
        ];
        var mapper = new PointMapper(Rules);
        for (var i = 0; i < 2000; i++)
        {
            var count = random.Next(0, 8);
            var payload = "{" + string.Join(",", Enumerable.Range(0, count).Select(_ =>
                $"\"{keys[random.Next(keys.Length)]}\":{values[random.Next(values.Length)]}")) + "}";
            var bytes = Encoding.UTF8.GetBytes(payload);
            var (general, direct) = (General("t/x", bytes), Direct(mapper, "t/x", bytes));
            Assert.True(general.Lines.SequenceEqual(direct.Lines) && general.Problems.SequenceEqual(direct.Problems),
                $"seed {seed}, payload {payload}: general [{string.Join(" | ", general.Lines)}] {string.Join("; ", general.Problems)}, " +
                $"direct [{string.Join(" | ", direct.Lines)}] {string.Join("; ", direct.Problems)}");
        }
    }

    /// <summary>A number's JSON text copied as it is must be what formatting its double (or its integer) writes.</summary>
    [Fact]
    public void Numbers_copied_as_text_are_what_the_encoder_formats()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        string Digits(int n, bool leadingZeroAllowed) => new([.. Enumerable.Range(0, n).Select(i =>
            (char)('0' + (i == 0 && !leadingZeroAllowed ? random.Next(1, 10) : random.Next(3) == 0 ? 0 : random.Next(10))))]);
        var copied = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var wholeLength = random.Next(0, 19);
            var whole = wholeLength == 0 ? "0" : Digits(wholeLength, false);
            var fraction = random.Next(2) == 0 ? "" : "." + Digits(random.Next(1, 19), true);
            var text = (random.Next(4) == 0 ? "-" : "") + whole + fraction;
            var utf8 = Encoding.UTF8.GetBytes(text);
            var number = double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (kind, expected) in new[]
            {
                (PointMapper.KeyKind.None, number.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                (PointMapper.KeyKind.Integer, number is >= long.MinValue and < 9.2233720368547758E18 ? ((long)Math.Round(number)).ToString() + "i" : null),
                (PointMapper.KeyKind.Unsigned, number is >= 0 and < 1.8446744073709552E19 ? ((ulong)Math.Round(number)).ToString() + "u" : null),
            })
            {
                var canonical = DirectLines.Canonical(utf8, kind);
                if (canonical == 0) continue;
                copied++;
                var written = text + (canonical == (byte)'f' ? "" : ((char)canonical).ToString());
                Assert.True(written == expected, $"seed {seed}: {text} as {kind} copied as {written}, formatted {expected}");
            }
        }
        Assert.True(copied > 10_000, $"seed {seed}: only {copied} numbers copied");
    }
}
