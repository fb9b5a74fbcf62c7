using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Platform;

/// <summary>A setting that cannot be used stops the start with one line naming it.</summary>
public sealed class StartupErrorTests
{
    private static async Task<ProcessResult> StartWith(params string[] settings)
    {
        await using var stand = new StandProcess();
        return await stand.RunToExitAsync(settings);
    }

    [Fact]
    public async Task A_missing_certificate_file_is_named()
    {
        var result = await StartWith("--Tls:PfxPath=/nonexistent/stand.pfx");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Tls:PfxPath", result.Stderr);
        Assert.Contains("/nonexistent/stand.pfx", result.Stderr);
    }

    [Fact]
    public async Task An_unreadable_certificate_file_is_named()
    {
        var bogus = Path.GetTempFileName();
        await File.WriteAllTextAsync(bogus, "this is not a certificate");
        try
        {
            var result = await StartWith($"--Tls:PfxPath={bogus}");
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"cannot read certificate file '{bogus}'", result.Stderr);
        }
        finally
        {
            File.Delete(bogus);
        }
    }

    [Theory]
    [InlineData("--Endpoints:HttpsPort=not-a-port", "Endpoints")]
    [InlineData("--Endpoints:MqttPort=70000", "Endpoints:MqttPort")]
    [InlineData("--Endpoints:MqttAddress=localhost-ish", "Endpoints:MqttAddress")]
    [InlineData("--Broker:Anonymous=Everybody", "Broker")]
    [InlineData("--Broker:AnonymousNetworks:0=not-a-network", "Broker:AnonymousNetworks:0")]
    [InlineData("--Broker:MaxPacketSiz=10", "MaxPacketSiz")]
    public async Task A_malformed_setting_is_named(string setting, string key)
    {
        var result = await StartWith(setting);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(key, result.Stderr);
    }

    private const string Global = """
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 200., maxI: 500., rampUpSpeed: 50., rampDwnSpeed: 50., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low }

        """;

    [Theory]
    [InlineData("name: dcs\nchannels:\n  \"0\": { module: m0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 }\n", 3, "not valid YAML")]
    [InlineData("name: dcs\nchannels:\n  \"0\": { module: m0, lv: { board: 0, chan: 0, volts: 3 }, hv: { board: 12, chan: 0 } }\n", 3, "volts")]
    [InlineData("name: dcs\nchannels:\n  \"0\": { module: m0, lv: { board: 7, chan: 0 }, hv: { board: 12, chan: 0 } }\n", 3, "LV board 7 is out of range")]
    [InlineData("name: dcs\nchannels:\n  \"0\": { module: m0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }\n  \"1\": { module: m1, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 1 } }\n", 4, "already used by channel 0")]
    [InlineData("name: dcs\nchannels:\n  \"0\": { module: \"\", lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }\n", 3, "module")]
    public async Task A_broken_channel_map_stops_the_start_naming_file_line_and_key(string yaml, int line, string problem)
    {
        var file = Path.Combine(Path.GetTempPath(), $"channels-{Guid.NewGuid():N}.yml");
        // The settings every channel needs come after the lines under test, so those keep their numbers.
        await File.WriteAllTextAsync(file, yaml + Global);
        try
        {
            var result = await StartWith($"--Caen:ChannelsFile={file}");
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"{file}:{line}", result.Stderr);
            Assert.Contains(problem, result.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
