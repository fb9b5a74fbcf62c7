using TrackerDcs.Hardware.Caen;

namespace TrackerDcs.Tests.Caen;

public class ChannelMapTests
{
    // The seed's example, line for line, so that existing files keep loading.
    private const string Seed = """
        name: dcs
        channels:
          "0":
            module: module_0
            lv: { board: 0, chan: 0, setV: 13.0 }
            hv: { board: 12, chan: 0 }
          "1":
            lv: { board: 1, chan: 7 }
            hv: { board: 15, chan: 11, tripMode: Ramp, imRange: High, tripExt: 0x11 }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10.,
                tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 200., maxI: 500., rampUpSpeed: 50., rampDwnSpeed: 50., tripTime: 10.,
                tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low }
        """;

    [Fact]
    public void Seed_format_loads_with_global_values_and_per_channel_overrides()
    {
        var map = ChannelMap.Parse(Seed, "seed.yml");

        Assert.Equal("dcs", map.Name);
        Assert.Equal(["0", "1"], map.Channels.Select(c => c.Id));
        var c0 = map.Find("0")!;
        Assert.Equal("module_0", c0.Module);
        Assert.True(c0.IsActive);
        Assert.Equal(new LvSettings(0, 0, 13.0, 2.5, 15, 0, 10, 0, 0b00010001, 100, 100), c0.Lv);
        Assert.Equal(new HvSettings(12, 0, 200, 500, 50, 50, 10, 0, 17, TripMode.Kill, ImRange.Low), c0.Hv);
        var c1 = map.Find("1")!;
        Assert.Null(c1.Module);
        Assert.False(c1.IsActive);
        Assert.Equal(12.0, c1.Lv.SetV);
        Assert.Equal((15, 11, TripMode.Ramp, ImRange.High, 17), (c1.Hv.Board, c1.Hv.Chan, c1.Hv.TripMode, c1.Hv.ImRange, c1.Hv.TripExt));
    }

    [Fact]
    public void HV_maxV_is_optional_global_and_overridden_per_channel()
    {
        Assert.All(ChannelMap.Parse(Seed, "seed.yml").Channels, c => Assert.Null(c.Hv.MaxV));

        var text = Seed.Replace("tripMode: Kill, imRange: Low }", "tripMode: Kill, imRange: Low, maxV: 600. }")
            .Replace("imRange: High, tripExt: 0x11 }", "imRange: High, tripExt: 0x11, maxV: 250, setV: 250 }");
        var map = ChannelMap.Parse(text, "maxv.yml");
        Assert.Equal(600.0, map.Find("0")!.Hv.MaxV);
        Assert.Equal((250.0, 250.0), (map.Find("1")!.Hv.MaxV!.Value, map.Find("1")!.Hv.SetV));
    }

    [Fact]
    public void Sha256_identifies_the_file_text()
    {
        var a = ChannelMap.Parse(Seed, "a.yml");
        Assert.Matches("^[0-9a-f]{64}$", a.Sha256);
        Assert.Equal(a.Sha256, ChannelMap.Parse(Seed, "b.yml").Sha256);
        Assert.NotEqual(a.Sha256, ChannelMap.Parse(Seed + "\n# edited", "a.yml").Sha256);
    }

    [Fact]
    public void The_repository_default_map_loads()
    {
        var path = Path.Combine(RepositoryRoot(), "channels.yml");
        var map = ChannelMap.Load(path);
        Assert.Equal(path, map.Source);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), map.Sha256);
        Assert.Equal(4, map.Channels.Count(c => c.IsActive));
        // The stand ships with the HV boards' own limit set, so that a crash of the process leaves it protected.
        Assert.All(map.Channels, c => Assert.Equal(600.0, c.Hv.MaxV));
    }

    [Theory]
    [InlineData("0b00010001", 17)]
    [InlineData("0B11", 3)]
    [InlineData("0x11", 17)]
    [InlineData("0xff", 255)]
    [InlineData("17", 17)]
    [InlineData("0", 0)]
    [InlineData("0b2", null)]
    [InlineData("-1", null)]
    [InlineData("0x", null)]
    [InlineData("ten", null)]
    public void Bit_masks_are_read_in_binary_hex_or_decimal(string text, int? expected) =>
        Assert.Equal(expected, ChannelMapParser.ParseMask(text));

    // Each broken file: the text to replace in Seed, what replaces it, then the line and key the error must name.
    [Theory]
    [InlineData("module: module_0", "module: module_0\n    colour: red", 5, "colour", "unknown key")]
    [InlineData("setV: 13.0 }", "setV: 13.0, sV: 1 }", 5, "sV", "unknown key")]
    [InlineData("tripMode: Kill", "tripMode: Kill, rampUpTime: 1.", 14, "rampUpTime", "unknown key")]
    [InlineData("name: dcs", "name: dcs\nowner: me", 2, "owner", "unknown key")]
    [InlineData("lv: { board: 0, chan: 0", "lv: { board: 5, chan: 0", 5, "board", "LV board 5 is out of range 0–4")]
    [InlineData("lv: { board: 1, chan: 7 }", "lv: { board: 1, chan: 8 }", 8, "chan", "LV channel 8 is out of range 0–7")]
    [InlineData("hv: { board: 12, chan: 0 }", "hv: { board: 11, chan: 0 }", 6, "board", "HV board 11 is out of range 12–15")]
    [InlineData("hv: { board: 15, chan: 11,", "hv: { board: 15, chan: 12,", 9, "chan", "HV channel 12 is out of range 0–11")]
    [InlineData("module: module_0", "module: \"\"", 4, "module", "module name is empty")]
    [InlineData("module: module_0", "module:", 4, "module", "module name is empty")]
    [InlineData("lv: { board: 1, chan: 7 }", "lv: { board: 0, chan: 0 }", 8, "chan", "already used by channel 0")]
    [InlineData("hv: { board: 15, chan: 11,", "hv: { board: 12, chan: 0,", 9, "chan", "already used by channel 0")]
    [InlineData("tripInt: 0b0, tripExt: 0b00010001, rampUpTime", "tripInt: 0b0, tripExt: 0b0201, rampUpTime", 12, "tripExt", "bit mask")]
    [InlineData("tripMode: Kill", "tripMode: Explode", 14, "tripMode", "Ramp or Kill")]
    [InlineData("imRange: Low", "imRange: 1", 14, "imRange", "High or Low")]
    [InlineData("setV: 13.0 }", "setV: 16.0 }", 5, "setV", "above ovVThr")]
    [InlineData("hv: { board: 12, chan: 0 }", "hv: { board: 12, chan: 0, setV: 1200 }", 6, "setV", "HV setV 1200 is outside the board's range 0–1000 V")]
    [InlineData("setV: 13.0 }", "setV: -1 }", 5, "setV", "non-negative number")]
    [InlineData("rampUpSpeed: 50.,", "rampUpSpeed: 0.,", 13, "rampUpSpeed", "outside the board's range 1–500 V/s")]
    [InlineData("tripInt: 0b0, tripExt: 0b00010001, rampUpTime", "tripInt: 0b0, tripExt: 0x10000, rampUpTime", 12, "tripExt", "outside the board's range 0–65535")]
    [InlineData("maxI: 2.5,", "maxI: 12.5,", 11, "maxI", "LV maxI 12.5 is outside the board's range 0–10 A")]
    [InlineData("lv: { board: 1, chan: 7 }", "lv: { chan: 7 }", 8, "board", "no value for 'board'")]
    [InlineData("  hv: { setV: 200.,", "  hv: { board: 12, setV: 200.,", 13, "board", "belongs to a channel")]
    [InlineData("name: dcs", "name: dcs/test", 1, "name", "MQTT topic level")]
    // maxV (the HV boards' SVMax): within the board's rating, a number, HV only, and never under the set point.
    [InlineData("hv: { board: 12, chan: 0 }", "hv: { board: 12, chan: 0, maxV: 1200 }", 6, "maxV", "HV maxV 1200 is outside the board's range 0–1000 V")]
    [InlineData("hv: { board: 12, chan: 0 }", "hv: { board: 12, chan: 0, maxV: -1 }", 6, "maxV", "'-1' is not a non-negative number")]
    [InlineData("tripMode: Kill, imRange: Low }", "tripMode: Kill, imRange: Low, maxV: lots }", 14, "maxV", "'lots' is not a non-negative number")]
    [InlineData("hv: { board: 12, chan: 0 }", "hv: { board: 12, chan: 0, maxV: 300, setV: 400 }", 6, "setV", "channel 0: HV setV 400 V is above maxV 300 V")]
    [InlineData("hv: { board: 12, chan: 0 }", "hv: { board: 12, chan: 0, maxV: 150 }", 6, "maxV", "channel 0: HV maxV 150 V is below its setV 200 V")]
    [InlineData("tripMode: Kill, imRange: Low }", "tripMode: Kill, imRange: Low, maxV: 100. }", 13, "setV", "channel 0: HV setV 200 V is above maxV 100 V")]
    [InlineData("setV: 13.0 }", "setV: 13.0, maxV: 14 }", 5, "maxV", "unknown key")]
    [InlineData("\"1\":", "\"1+\":", 7, "1+", "no /, + or #")]
    public void A_broken_file_names_file_line_and_key(string find, string replace, int line, string key, string detail)
    {
        Assert.Contains(find, Seed);
        var text = Seed.Replace(find, replace);

        var e = Assert.Throws<ChannelMapException>(() => ChannelMap.Parse(text, "broken.yml"));

        Assert.Equal(("broken.yml", line, key), (e.File, e.Line, e.Key));
        Assert.Contains(detail, e.Message);
        Assert.StartsWith($"broken.yml:{line}: '{key}': ", e.Message);
    }

    [Theory]
    [InlineData("", 1, "empty")]
    [InlineData("name: [unclosed", 2, "not valid YAML")]
    [InlineData("channels:\n  \"0\": {}\n  \"0\": {}\n", 3, "Duplicate key")]
    [InlineData("name: dcs\n", 1, "channels")]
    public void Not_a_channel_map_at_all_is_an_error_with_a_line(string text, int line, string detail)
    {
        var e = Assert.Throws<ChannelMapException>(() => ChannelMap.Parse(text, "x.yml"));
        Assert.Equal(line, e.Line);
        Assert.Contains(detail, e.Message);
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TrackerDcs.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("TrackerDcs.sln not found above the test binaries");
    }
}
