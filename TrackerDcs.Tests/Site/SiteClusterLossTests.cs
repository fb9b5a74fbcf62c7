using System.Text.Json;
using Microsoft.Playwright;
using TrackerDcs.Tests.Panel;
using TrackerDcs.Tests.Support;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Site;

/// <summary>
/// The site instance itself cut off from every node of the cluster (each reached through a <see cref="TcpProxy"/>
/// that stops passing bytes, as a pulled cable): the Site page says so at its top, the site's alarm list has the
/// alarm site.cluster, and both clear when the cable is back.
/// </summary>
[Collection("Site cluster")]
public sealed class SiteClusterLossTests(SiteClusterFixture site, ITestOutputHelper output)
{
    private const string ViewerPassword = "vera-password-for-tests";

    [Fact]
    public async Task The_site_page_and_the_site_alarm_list_show_the_lost_cluster_until_it_is_back()
    {
        var proxies = site.Cluster.Nodes.Select(n => new TcpProxy(n.MqttPort)).ToList();
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["Site:Mode"] = "Site",
                ["Site:User"] = SiteClusterFixture.SiteUser,
                ["Site:Password"] = SiteClusterFixture.SitePassword,
                ["Site:AlarmAfter"] = "00:00:02",
            };
            for (var i = 0; i < proxies.Count; i++) settings[$"Site:Brokers:{i}"] = proxies[i].Endpoint;
            await using var instance = new StandProcess(settings);
            await instance.StartAsync();
            await instance.AddUserAsync("vera", "viewer", ViewerPassword);
            await Eventually.True(() => instance.Log.Contains("Site instance: connected to node"), "the site instance connected", 30);
            async Task<JsonElement> ViewAsync() => JsonDocument.Parse(await instance.GetAsAdminAsync("/api/site/stands")).RootElement;
            static bool HasClusterAlarm(JsonElement view) =>
                view.GetProperty("alarms").EnumerateArray().Any(a => a.GetProperty("key").GetString() == "site.cluster");

            var before = await ViewAsync();
            Assert.Equal(JsonValueKind.Null, before.GetProperty("clusterLost").ValueKind);
            Assert.False(HasClusterAlarm(before));

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
            var page = await PanelStand.LoginAsync(context, $"https://localhost:{instance.HttpsPort}", "vera", ViewerPassword, "/site");
            var banner = page.GetByRole(AriaRole.Alert, new() { Name = "Cluster lost" });
            // The annunciator of every page: the site instance's own alarm manager has the alarm too.
            var annunciator = page.GetByRole(AriaRole.Alert, new() { Name = "Major alarm not acknowledged" });
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Site", Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(banner).ToHaveCountAsync(0);

            foreach (var proxy in proxies) proxy.Cut();
            JsonElement lost = default;
            await UntilAsync(async () => (lost = await ViewAsync()).GetProperty("clusterLost").ValueKind == JsonValueKind.Object, "the cluster lost at the site");
            var alarm = lost.GetProperty("alarms").EnumerateArray().Single(a => a.GetProperty("key").GetString() == "site.cluster");
            output.WriteLine(alarm.ToString());
            Assert.Equal(("major", "(site)"), (alarm.GetProperty("severity").GetString(), alarm.GetProperty("stand").GetString()));
            Assert.Contains("no node of the site's cluster reachable since", alarm.GetProperty("message").GetString());
            await Assertions.Expect(banner).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(banner).ToContainTextAsync("The site's cluster is lost since");
            await Assertions.Expect(annunciator).ToContainTextAsync("no node of the site's cluster reachable", new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByLabel("Site alarms")).ToContainTextAsync("no node of the site's cluster reachable", new() { Timeout = 30_000 });

            foreach (var proxy in proxies) proxy.Restore();
            await UntilAsync(async () => await ViewAsync() is var back && back.GetProperty("clusterLost").ValueKind == JsonValueKind.Null && !HasClusterAlarm(back),
                "the cluster back at the site");
            await Assertions.Expect(banner).ToHaveCountAsync(0, new() { Timeout = 30_000 });
            await Assertions.Expect(annunciator).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        }
        finally
        {
            foreach (var proxy in proxies) await proxy.DisposeAsync();
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not within 60 s");
            await Task.Delay(500);
        }
    }
}
