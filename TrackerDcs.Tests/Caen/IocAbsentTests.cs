using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;
using TrackerDcs.Tests.ChannelAccess;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Caen;

/// <summary>
/// Issue 16, finding 5: while the crate's IOC is absent at start, nothing was logged until the disconnected alarm
/// 30 s later. Now a warning names what was searched for and where, is repeated every few minutes, and one line
/// says when the IOC answers.
/// </summary>
public sealed class IocAbsentTests
{
    [Fact]
    public async Task The_absent_ioc_is_named_with_the_address_list_then_every_few_minutes_then_once_when_it_answers()
    {
        var port = FreePort.ChannelAccess();
        var options = CaTest.OptionsFor(port);
        options.MaxSearchPeriod = TimeSpan.FromSeconds(1);
        await using var client = new CaClient(options);
        var clock = new FakeTimeProvider();
        var log = new ListLogger<ChannelAccessPvAccess>();
        await using var access = new ChannelAccessPvAccess(client, _ => 0, clock, log);
        var crate = new SimulatedCaenCrate("cleanroom");
        string[] pvs = ["cleanroom:00:000:Status", "cleanroom:00:000:VMon", "cleanroom:12:000:Status", "cleanroom:12:000:VMon"];
        var subscriptions = pvs.Select(pv => access.Subscribe(pv, _ => { })).ToList();
        IEnumerable<string> Warnings() => log.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Text);

        clock.Advance(ChannelAccessPvAccess.FoundWithin - TimeSpan.FromMilliseconds(1));
        Assert.Empty(Warnings());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var first = Assert.Single(Warnings());
        Assert.Contains("The crate's IOC does not answer", first);
        Assert.Contains("cleanroom:00:000:Status, cleanroom:00:000:VMon, cleanroom:12:000:Status and 1 more", first);
        Assert.Contains($"127.0.0.1:{port}", first);
        Assert.Contains($"EPICS_CA_ADDR_LIST '127.0.0.1:{port}'", first);

        clock.Advance(ChannelAccessPvAccess.AbsentWarningEvery - TimeSpan.FromSeconds(1));
        Assert.Single(Warnings());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, Warnings().Count());
        Assert.Contains("still does not answer, 3 min on", Warnings().Last());

        await using var server = new CaServer(crate.Find, new CaServerOptions { Port = port });
        server.Start();
        await Eventually.True(() => log.Entries.Any(e => e.Level == LogLevel.Information && e.Text.Contains("The crate's IOC answers")),
            "the line saying the IOC answers");
        Assert.Single(log.Entries, e => e.Text.Contains("The crate's IOC answers"));
        clock.Advance(ChannelAccessPvAccess.AbsentWarningEvery * 2);
        Assert.Equal(2, Warnings().Count());
        foreach (var subscription in subscriptions) subscription.Dispose();
        crate.Dispose();
    }

    [Fact]
    public async Task A_stand_started_without_its_ioc_says_so_in_its_log_and_again_when_it_answers()
    {
        var caPort = FreePort.ChannelAccess();
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Caen:Simulated"] = "false",
            ["ChannelAccess:AddressList"] = $"127.0.0.1:{caPort}",
            ["ChannelAccess:AutoAddressList"] = "false",
            ["ChannelAccess:ServerPort"] = caPort.ToString(),
        });
        await stand.StartAsync();
        await Eventually.True(() => stand.Log.Contains("The crate's IOC does not answer"), "the warning that the IOC does not answer",
            60);
        var warning = stand.Log.Split('\n').SkipWhile(l => !l.Contains("The crate's IOC does not answer")).Take(2);
        var text = string.Join(" ", warning);
        Assert.Contains($"EPICS_CA_ADDR_LIST '127.0.0.1:{caPort}'", text);
        Assert.Contains("cleanroom:", text);

        await using var crate = await SimulatorProcess.StartAsync("caen", "--port", caPort.ToString());
        await Eventually.True(() => stand.Log.Contains("The crate's IOC answers"), "the line saying the IOC answers", 60);
    }
}
