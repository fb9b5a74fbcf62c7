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

    /// <summary>
    /// Every type EPICS base's caget accepts for -d (DBR_STRING … DBR_CTRL_DOUBLE, DBR_STSACK_STRING 37, DBR_CLASS_NAME 38;
    /// 35 and 36 are put-only), read through libca's ca_array_get. The alarm handler reads DBR_STSACK_STRING and record-type
    /// lookups DBR_CLASS_NAME; a server answering them with ECA_BADTYPE made libca's caget abort (issue 16, finding 4).
    /// </summary>
    [Fact]
    public async Task Libca_reads_every_dbr_type_caget_accepts_including_stsack_string_and_class_name()
    {
        string[] pvs = ["cleanroom:00:003:VMon", "cleanroom:00:003:V0Set", "cleanroom:00:003:Status", "cleanroom:00:003:TripInt",
            "cleanroom:00:003:Pw", "cleanroom:12:003:PDwn", "cleanroom:ClearAlarm"];
        var result = await PyEpics.RunAsync($$$"""
            import ctypes, json, struct
            from epics import ca, dbr
            ca.initialize_libca()
            ca.libca.ca_array_get.argtypes = [ctypes.c_long, ctypes.c_ulong, dbr.chid_t, ctypes.c_void_p]
            out = {}
            for name in {{{JsonSerializer.Serialize(pvs)}}}:
                chid = ca.create_channel(name, connect=True, auto_cb=False)
                if not ca.connect_channel(chid, timeout=5):
                    out[name] = 'not connected'
                    continue
                entry = {'failed': {}}
                # A string that is not a number (ClearAlarm's "No") has no numeric form, in an IOC as here.
                numeric = ca.field_type(chid) != dbr.STRING
                for code in [c for c in range(0, 35) if numeric or c % 7 == 0] + [37, 38]:
                    buffer = ctypes.create_string_buffer(1024)
                    status = ca.libca.ca_array_get(code, 1, chid, buffer)
                    if status == dbr.ECA_NORMAL:
                        status = ca.libca.ca_pend_io(5.0)
                    if status != dbr.ECA_NORMAL:
                        entry['failed'][str(code)] = ca.libca.ca_message(status).decode()
                    elif code == 37:
                        s, sevr, ackt, acks, value = struct.unpack('=HHHH40s', buffer.raw[:48])
                        entry['stsack'] = [s, sevr, ackt, acks, value.split(b'\0')[0].decode()]
                    elif code == 38:
                        entry['class'] = buffer.raw[:40].split(b'\0')[0].decode()
                    elif code == 0:
                        entry['string'] = buffer.raw[:40].split(b'\0')[0].decode()
                out[name] = entry
            print(json.dumps(out))
            """, _server.SearchPort);

        foreach (var pv in pvs)
        {
            var entry = result.GetProperty(pv);
            Assert.True(entry.ValueKind == JsonValueKind.Object, $"{pv}: {entry}");
            Assert.True(entry.GetProperty("failed").EnumerateObject().ToList() is [], $"{pv}: {entry.GetProperty("failed")}");
            var stsack = entry.GetProperty("stsack");
            // status, severity: no alarm; ackt 1: transient alarms must be acknowledged (the record default); acks 0: none to acknowledge.
            Assert.Equal([0, 0, 1, 0], stsack.EnumerateArray().Take(4).Select(e => e.GetInt32()));
            // The value as DBR_STRING gives it; VMon's noise may have moved it between the two reads.
            if (pv.EndsWith("VMon")) Assert.InRange(double.Parse(stsack[4].GetString()!, System.Globalization.CultureInfo.InvariantCulture), -0.1, 0.1);
            else Assert.Equal(entry.GetProperty("string").GetString(), stsack[4].GetString());
        }
        Assert.Equal(["ai", "ao", "longin", "longout", "bo", "bo", "stringout"], pvs.Select(pv => result.GetProperty(pv).GetProperty("class").GetString()));
    }

    /// <summary>
    /// The readings' noise (about ±0.003 V and ±0.003 A or µA, every 100 ms tick) stays inside their MDEL and ADEL, so a
    /// libca monitor of a steady channel gets next to nothing, where it got every tick (10/s per PV) before the server
    /// applied dead bands (issue 16, finding 4); a real change still arrives.
    /// </summary>
    [Fact]
    public async Task Libca_monitors_of_a_steady_channel_get_no_noise_but_a_real_step_arrives()
    {
        string[] pvs = ["cleanroom:00:004:VMon", "cleanroom:00:004:IMon", "cleanroom:12:004:VMon", "cleanroom:12:004:IMon"];
        var result = await PyEpics.RunAsync($$$"""
            import json, time, epics
            counts = {}
            def counter(key):
                counts[key] = 0
                def on_update(value=None, **kw):
                    counts[key] += 1
                return on_update
            monitors = [epics.PV(name, callback=counter(name)) for name in {{{JsonSerializer.Serialize(pvs)}}}]
            archive = epics.PV('cleanroom:00:004:VMon', auto_monitor=epics.dbr.DBE_LOG, callback=counter('log'))
            for pv in monitors + [archive]: pv.wait_for_connection(5)
            deadline = time.time() + 5
            while min(counts.values()) == 0 and time.time() < deadline: time.sleep(0.01)
            for key in counts: counts[key] = 0
            window = 3.0
            time.sleep(window)
            out = {'noise': dict(counts), 'window': window}
            volts = []
            monitors[0].add_callback(lambda value=None, **kw: volts.append(value))
            out['put'] = epics.caput('cleanroom:00:004:Pw', 'On', wait=True, timeout=5)
            started = time.time()
            while not any(v > 5 for v in volts) and time.time() < started + 10: time.sleep(0.01)
            out['step'] = max(volts) if volts else None
            out['step_seconds'] = time.time() - started
            print(json.dumps(out))
            """, _server.SearchPort);

        var noise = result.GetProperty("noise");
        foreach (var key in pvs.Append("log"))
            Assert.True(noise.GetProperty(key).GetInt32() <= 3,
                $"{key} sent {noise.GetProperty(key).GetInt32()} updates in {result.GetProperty("window").GetDouble()} s of noise: {noise}");
        Assert.Equal(1, result.GetProperty("put").GetInt32());
        Assert.True(result.GetProperty("step").ValueKind == JsonValueKind.Number && result.GetProperty("step").GetDouble() > 5,
            $"LV VMon after Pw On: {result.GetProperty("step")}");
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
