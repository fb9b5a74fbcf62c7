using TrackerDcs.Tests.Support;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Site;

/// <summary>
/// deploy/site/rabbitmq/definitions.json, imported into the real cluster as docs/site.md ("Deployment") tells an administrator
/// (rabbitmqctl import_definitions, then change_password): its accounts log in only once given a password, each stand
/// publishes only below its own prefix and no command, and the site's commands reach the stand they are for.
/// </summary>
[Collection("Site cluster")]
public sealed class SiteDefinitionsTests(SiteClusterFixture site, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private static string[] Auth(string stand) => Mosquitto.Auth($"stand-{stand}", $"{stand}-deploy-password");

    [Fact]
    public async Task The_deploy_definitions_give_each_stand_only_its_own_prefix_and_the_site_every_stand()
    {
        // rabbitmqctl runs as the rabbitmq user: the file goes where that user can read it.
        var copy = Path.Combine(Path.GetTempPath(), $"trackerdcs-site-definitions-{Guid.NewGuid():N}.json");
        File.Copy(Repository.File("deploy/site/rabbitmq/definitions.json"), copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            output.WriteLine(await site.Cluster.CtlAsync("import_definitions", copy));
        }
        finally
        {
            File.Delete(copy);
        }
        // The file names the site's account too, without a password: the fixture's is given back at once for the other tests.
        await site.Cluster.CtlAsync("change_password", SiteClusterFixture.SiteUser, SiteClusterFixture.SitePassword);
        var node = site.Cluster.Nodes[0];

        // No password in the file: nobody logs in as a stand before the administrator gave it one.
        var before = await Mosquitto.PubAsync(node.MqttPort, [.. Auth("iv1"), "-q", "1", "-t", "site/iv1/dcs/status", "-m", "x"]);
        output.WriteLine($"before change_password: {before}");
        Assert.NotEqual(0, before.ExitCode);

        foreach (var stand in new[] { "coldbox1", "burnin1", "iv1" })
            await site.Cluster.CtlAsync("change_password", $"stand-{stand}", $"{stand}-deploy-password");

        await using var atSite = await MosquittoSubscriber.StartOnLiveMarkerAsync(node.MqttPort, site.SiteAuth, ["site/coldbox1/#"],
            node.MqttPort, Auth("coldbox1"), "site/coldbox1/test/marker", "-q", "1");
        var forged = await Mosquitto.PubAsync(node.MqttPort, [.. Auth("burnin1"), "-q", "1", "-t", "site/coldbox1/dcs/status", "-m", "forged by burnin1"]);
        var forgedCommand = await Mosquitto.PubAsync(node.MqttPort, [.. Auth("coldbox1"), "-q", "1", "-t", "site/coldbox1/dcs/cmd/switch/lv", "-m", "{\"user\":\"mallory\",\"payload\":\"on\"}"]);
        var own = await Mosquitto.PubAsync(node.MqttPort, [.. Auth("coldbox1"), "-q", "1", "-t", "site/coldbox1/dcs/status", "-m", "from coldbox1"]);
        output.WriteLine($"forged status: {forged}\nforged command: {forgedCommand}");
        Assert.Equal(0, own.ExitCode);
        // The stand's own status arrives; the other stand's forgery and the stand's own command, sent before it, never do.
        Assert.Equal("from coldbox1", await atSite.NextOnAsync("site/coldbox1/dcs/status", Wait));
        Assert.Null(await atSite.NextOnAsync("site/coldbox1/dcs/status", TimeSpan.FromSeconds(2)));
        Assert.Null(await atSite.NextOnAsync("site/coldbox1/dcs/cmd/switch/lv", TimeSpan.FromSeconds(1)));

        // The site's command reaches the stand's own command topic, which only that stand may read.
        await using var atStand = await MosquittoSubscriber.StartOnLiveMarkerAsync(node.MqttPort, Auth("coldbox1"), ["site/coldbox1/+/cmd/#"],
            node.MqttPort, site.SiteAuth, "site/coldbox1/dcs/cmd/marker", "-q", "1");
        var command = await Mosquitto.PubAsync(node.MqttPort, [.. site.SiteAuth, "-q", "1", "-t", "site/coldbox1/dcs/cmd/switch/lv", "-m", "{\"user\":\"oscar\",\"payload\":\"on\"}"]);
        Assert.Equal(0, command.ExitCode);
        Assert.Equal("{\"user\":\"oscar\",\"payload\":\"on\"}", await atStand.NextOnAsync("site/coldbox1/dcs/cmd/switch/lv", Wait));
        // Another stand cannot read it: its subscription is refused, and a command sent while it tries never reaches it.
        var spying = Mosquitto.SubAsync(node.MqttPort, [.. Auth("burnin1"), "-q", "1", "-t", "site/coldbox1/+/cmd/#", "-C", "1", "-W", "5"]);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await Mosquitto.PubAsync(node.MqttPort, [.. site.SiteAuth, "-q", "1", "-t", "site/coldbox1/dcs/cmd/switch/hv", "-m", "{\"user\":\"oscar\",\"payload\":\"spied\"}"]);
        var spy = await spying;
        output.WriteLine($"burnin1 reading coldbox1's commands: {spy}");
        Assert.NotEqual(0, spy.ExitCode);
        Assert.DoesNotContain("spied", spy.Stdout);
        Assert.Contains("spied", await atStand.WaitOnAsync("site/coldbox1/dcs/cmd/switch/hv", _ => true, Wait, "the command for coldbox1"));
    }
}
