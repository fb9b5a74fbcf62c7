using System.Collections.Concurrent;
using System.Text.Json;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;
using TrackerDcs.Tests.ChannelAccess;

namespace TrackerDcs.Tests.Caen;

/// <summary>The simulated SY4527 as a real Channel Access server: libca (pyepics) and our client against it.</summary>
public sealed class SimulatedCrateOverChannelAccessTests : IAsyncLifetime
{
    private readonly SimulatedCaenCrate _crate = new("cleanroom");
    private CaServer _server = null!;

    public Task InitializeAsync()
    {
        _crate.Start(SimulatedCaenCrate.DefaultTickPeriod);
        _server = CaTest.StartServer([.. _crate.ProcessVariables]);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _crate.Dispose();
    }

    private static readonly string[] LvFields = ["V0Set", "I0Set", "Pw", "Trip", "TripInt", "TripExt", "Status", "VMon", "IMon", "UNVThr", "OVVThr", "RUpTime", "RDwTime", "Temp"];
    private static readonly string[] HvFields = ["V0Set", "I0Set", "Pw", "Trip", "TripInt", "TripExt", "Status", "VMon", "IMon", "RUp", "RDWn", "ImRange", "PDwn", "SVMax"];

    [Fact]
    public async Task Libca_reads_every_field_puts_v0set_switches_pw_and_receives_monitors()
    {
        var pvs = LvFields.Select(f => $"cleanroom:00:003:{f}").Concat(HvFields.Select(f => $"cleanroom:12:003:{f}")).ToList();
        var result = await PyEpics.RunAsync($$$"""
            import json, time, epics
            out = {'read': {}}
            for name in {{{JsonSerializer.Serialize(pvs)}}}:
                out['read'][name] = epics.caget(name, as_string=True, timeout=5)
            out['enums'] = epics.PV('cleanroom:12:003:PDwn').get_ctrlvars(timeout=5)['enum_strs']
            out['put_v0set'] = epics.caput('cleanroom:12:003:V0Set', 120.0, wait=True, timeout=5)
            out['put_lv'] = epics.caput('cleanroom:00:003:Pw', 'On', wait=True, timeout=5)
            out['put_hv'] = epics.caput('cleanroom:12:003:Pw', 'On', wait=True, timeout=5)
            updates = []
            vmon = epics.PV('cleanroom:12:003:VMon', callback=lambda value=None, **kw: updates.append(value))
            time.sleep(2.0)
            out['vmon_updates'] = len(updates)
            out['vmon_last'] = updates[-1] if updates else None
            out['v0set'] = epics.caget('cleanroom:12:003:V0Set', timeout=5)
            out['pw'] = epics.caget('cleanroom:12:003:Pw', as_string=True, timeout=5)
            print(json.dumps(out))
            """, _server.SearchPort);

        var read = result.GetProperty("read");
        foreach (var pv in pvs)
            Assert.True(read.GetProperty(pv).ValueKind == JsonValueKind.String, $"{pv} was not read: {read.GetProperty(pv)}");
        Assert.Equal("Off", read.GetProperty("cleanroom:00:003:Pw").GetString());
        Assert.Equal(["Ramp", "Kill"], result.GetProperty("enums").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, result.GetProperty("put_v0set").GetInt32());
        Assert.Equal(120.0, result.GetProperty("v0set").GetDouble());
        Assert.Equal("On", result.GetProperty("pw").GetString());
        Assert.True(result.GetProperty("vmon_updates").GetInt32() >= 3, "VMon monitors arrive while HV ramps");
        Assert.True(result.GetProperty("vmon_last").GetDouble() > 10, "HV ramps up at RUp V/s");
    }

    [Fact]
    public async Task Our_client_connects_and_monitors_every_pv_of_the_crate()
    {
        await using var client = new CaClient(CaTest.OptionsFor(_server.SearchPort));
        var names = _crate.ProcessVariables.Select(p => p.Name).ToList();
        Assert.True(names.Count >= 1000, $"{names.Count} PVs");
        var updates = new ConcurrentDictionary<string, int>();
        var channels = await Task.WhenAll(names.Select(n => client.ConnectAsync(n, CaTest.TimeLimit())));
        var subscriptions = await Task.WhenAll(channels.Select(c => c.SubscribeAsync(_ => updates.AddOrUpdate(c.Name, 1, (_, n) => n + 1), cancellationToken: CaTest.TimeLimit())));
        // Every monitor delivers the current value first.
        await Eventually.True(() => updates.Count == names.Count, "a first update of every PV");

        // Counted before the put: the Status change it causes may arrive before the put's own completion.
        var before = updates.GetValueOrDefault("cleanroom:00:005:Status");
        await channels.Single(c => c.Name == "cleanroom:00:005:Pw").PutAsync("On", CaTest.TimeLimit());
        await Eventually.True(() => updates.GetValueOrDefault("cleanroom:00:005:Status") > before, "the Status monitor after Pw On");
        foreach (var subscription in subscriptions) subscription.Dispose();
    }
}
