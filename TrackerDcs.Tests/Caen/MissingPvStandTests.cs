using System.Text.Json;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;
using TrackerDcs.Tests.ChannelAccess;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Caen;

/// <summary>
/// Issue 16, finding 2, seen from outside: a stand whose IOC lacks one PV says so in /readyz and on alarms/active,
/// naming the PV and what its channel loses, instead of "CAEN crate DISCONNECTED". The IOC is the simulated crate
/// served over Channel Access by this test, with cleanroom:12:001:SVMax withheld.
/// </summary>
public sealed class MissingPvStandTests
{
    private const string Missing = "cleanroom:12:001:SVMax";

    [Fact]
    public async Task Readyz_and_the_alarm_name_the_missing_pv_and_the_crate_stays_connected()
    {
        using var crate = new SimulatedCaenCrate("cleanroom");
        crate.Withhold(Missing);
        crate.Start(SimulatedCaenCrate.DefaultTickPeriod);
        await using var ioc = StartIoc(crate);
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Caen:Simulated"] = "false",
            ["ChannelAccess:AddressList"] = $"127.0.0.1:{ioc.SearchPort}",
            ["ChannelAccess:AutoAddressList"] = "false",
            ["ChannelAccess:ServerPort"] = ioc.SearchPort.ToString(),
        });
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, ["-u", "admin", "-P", StandProcess.AdminPassword], ["alarms/active"]);

        var caen = await CaenReadinessAsync(stand, c => c.GetProperty("detail").GetString()!.Contains(Missing) && c.GetProperty("state").GetString() != "DISCONNECTED",
            "/readyz naming the missing PV of a connected crate");

        Assert.Equal($"{Missing} not found: channel 1 HV is not protected", caen.GetProperty("detail").GetString()!.Split("; ")[^1]);
        Assert.Equal("LV_OFF", caen.GetProperty("state").GetString());
        Assert.True(caen.GetProperty("ready").GetBoolean());
        var active = await sub.WaitOnAsync("alarms/active", a => a.Contains("caen.pv_missing"), TimeSpan.FromSeconds(60), "caen.pv_missing");
        Assert.Contains(Missing, active);
        Assert.DoesNotContain("DISCONNECTED", active);
    }

    private static async Task<JsonElement> CaenReadinessAsync(StandProcess stand, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var (_, report) = await stand.ReadinessAsync();
            var caen = JsonDocument.Parse(report).RootElement.GetProperty("components").GetProperty("driver").GetProperty("caen");
            if (condition(caen)) return caen;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}: {caen}");
            await Task.Delay(200);
        }
    }

    /// <summary>The crate's IOC on a free port (one taken meanwhile by another test is tried again).</summary>
    private static CaServer StartIoc(SimulatedCaenCrate crate)
    {
        for (var attempt = 0; ; attempt++)
        {
            var server = new CaServer(crate.Find, new CaServerOptions { Port = FreePort.ChannelAccess() });
            try
            {
                server.Start();
                return server;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 5)
            {
                server.DisposeAsync().AsTask().Wait();
            }
        }
    }
}
