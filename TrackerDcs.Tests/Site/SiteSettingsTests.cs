using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Site;

/// <summary>A bad site setting stops the start with exit code 2 and one line naming its key; no cluster is needed for that.</summary>
public sealed class SiteSettingsTests
{
    private static readonly string[] Good = ["--Site:Brokers:0=127.0.0.1:1883", "--Site:Stand=coldbox1", "--Site:User=stand-coldbox1"];

    [Theory]
    [InlineData("--Site:Brokers:1=rmq2", "setting 'Site:Brokers:1': 'rmq2' is not host:port (a port 1..65535)")]
    [InlineData("--Site:Stand=Cold.Box", "setting 'Site:Stand': 'Cold.Box' is not a stand name")]
    [InlineData("--Site:Stand=a/b", "setting 'Site:Stand': 'a/b' is not a stand name")]
    [InlineData("--Site:User=", "setting 'Site:User': empty: the site's cluster refuses anonymous stands")]
    [InlineData("--Site:QueueLimit=0", "setting 'Site:QueueLimit': 0 is outside 1..10000000")]
    [InlineData("--Site:CaFile=/nonexistent/ca.pem", "setting 'Site:CaFile': file '/nonexistent/ca.pem' does not exist")]
    public async Task A_bad_site_setting_stops_the_start_naming_its_key(string setting, string message)
    {
        await using var stand = new StandProcess();
        var result = await stand.RunToExitAsync([.. Good, setting]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    [Theory]
    // The stand tag of the time series is checked without an uplink as well.
    [InlineData(new[] { "--Site:Stand=Cold.Box" }, "setting 'Site:Stand': 'Cold.Box' is not a stand name")]
    [InlineData(new[] { "--Site:Stand=coldbox1", "--TimeSeries:Rules:0:Topic=lab/+/temp", "--TimeSeries:Rules:0:Format=Number",
        "--TimeSeries:Rules:0:Measurement=lab", "--TimeSeries:Rules:0:TopicTags:stand=1" },
        "setting 'TimeSeries:Rules:0': a tag named 'stand' is Site:Stand's")]
    public async Task A_stand_name_for_the_time_series_alone_is_checked_too(string[] settings, string message)
    {
        await using var stand = new StandProcess();
        var result = await stand.RunToExitAsync(settings);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    [Theory]
    [InlineData("--Site:Mode=Site", "setting 'Site:Brokers': empty: the site instance reads the stands from the site's cluster")]
    [InlineData("--Site:LostAfter=00:00:01", "setting 'Site:LostAfter': 00:00:01 is outside 00:00:06..01:00:00")]
    [InlineData("--Site:Mode=Sight", "'Sight' at 'Site:Mode'")]
    public async Task A_bad_site_instance_setting_stops_the_start_naming_its_key(string setting, string message)
    {
        await using var site = new StandProcess();
        string[] arguments = setting.StartsWith("--Site:Mode=", StringComparison.Ordinal)
            ? [setting, "--Site:User=site"]
            : ["--Site:Mode=Site", "--Site:Brokers:0=127.0.0.1:1883", "--Site:User=site", setting];
        var result = await site.RunToExitAsync(arguments);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }
}
