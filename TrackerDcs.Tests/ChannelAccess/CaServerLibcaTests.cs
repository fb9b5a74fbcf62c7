using TrackerDcs.Hardware.ChannelAccess;
using static TrackerDcs.Tests.ChannelAccess.CaTest;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>Our server against the real client library: libca through pyepics.</summary>
public class CaServerLibcaTests(CaTestServer ioc) : IClassFixture<CaTestServer>
{
    private const string Prelude = "import json, time, epics\n";

    [Fact]
    public async Task Caget_reads_double_enum_string_and_array()
    {
        var result = await PyEpics.RunAsync(Prelude + """
            out = {}
            out['double'] = epics.caget('test:00:000:VMon', timeout=5)
            out['enum'] = epics.caget('test:12:000:ImRange', timeout=5)
            out['enum_string'] = epics.caget('test:12:000:ImRange', as_string=True, timeout=5)
            out['string'] = epics.caget('test:Name', timeout=5)
            out['array'] = [float(x) for x in epics.caget('test:Waveform', timeout=5)]
            out['double_string'] = epics.caget('test:00:000:VMon', as_string=True, timeout=5)
            out['long'] = epics.caget('test:00:000:Status', timeout=5)
            out['missing'] = epics.caget('test:NoSuchPv', timeout=0.5)
            print(json.dumps(out))
            """, ioc.Port);

        Assert.Equal(12.5, result.GetProperty("double").GetDouble());
        Assert.Equal(1, result.GetProperty("enum").GetInt32());
        Assert.Equal("Low", result.GetProperty("enum_string").GetString());
        Assert.Equal("module_0", result.GetProperty("string").GetString());
        Assert.Equal([1.0, 2.0, 3.0, 4.0, 5.0], result.GetProperty("array").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal("12.500", result.GetProperty("double_string").GetString());
        Assert.Equal(0, result.GetProperty("long").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, result.GetProperty("missing").ValueKind);
    }

    [Fact]
    public async Task Caput_with_wait_writes_and_read_only_or_refused_puts_change_nothing()
    {
        var result = await PyEpics.RunAsync(Prelude + """
            out = {}
            out['setv'] = epics.caput('test:00:000:V0Set', 13.25, wait=True, timeout=5)
            out['pw'] = epics.caput('test:00:000:Pw', 'On', wait=True, timeout=5)
            out['name'] = epics.caput('test:Label', 'module_7', wait=True, timeout=5)
            out['waveform'] = epics.caput('test:Samples', [5.0, 4.0, 3.0], wait=True, timeout=5)
            epics.caput('test:00:000:Trip', 2.5)
            vmon = epics.PV('test:00:000:VMon')
            vmon.wait_for_connection(5)
            out['vmon_write_access'] = vmon.write_access
            try:
                out['vmon'] = vmon.put(1.0, wait=True, timeout=5)
            except Exception as e:
                out['vmon'] = repr(e)
            print(json.dumps(out))
            """, ioc.Port);

        Assert.Equal(1, result.GetProperty("setv").GetInt32());
        Assert.Equal(13.25, ioc.V0Set.Value);
        Assert.Equal((ushort)1, ioc.Pw.Value);
        Assert.Equal("module_7", ioc.Label.Value);
        Assert.Equal(new[] { 5.0, 4.0, 3.0 }, (double[])ioc.Samples.Value);
        await Eventually.True(() => Equals(ioc.Trip.Value, 2.5), "the put without callback (CA_PROTO_WRITE)");
        Assert.False(result.GetProperty("vmon_write_access").GetBoolean());
        Assert.Equal(12.5, ioc.VMon.Value);

        await PyEpics.RunAsync(Prelude + """
            print(json.dumps(epics.caput('test:Tripped', 5.0, wait=True, timeout=5)))
            """, ioc.Port);
        Assert.Equal(1.0, ioc.Tripped.Value);
    }

    [Fact]
    public async Task Camonitor_receives_updates_with_severity_and_timestamp()
    {
        var monitored = new ProcessVariable("test:Monitored", CaType.Double, 1.0);
        await using var server = StartServer([monitored]);
        await using var python = PyEpics.Start(Prelude + """
            seen = []
            def on_change(value=None, severity=None, timestamp=None, **kw):
                seen.append([value, severity, timestamp])
            pv = epics.PV('test:Monitored', callback=on_change, form='time')
            pv.wait_for_connection(5)
            deadline = time.time() + 5
            while not seen and time.time() < deadline: time.sleep(0.01)
            print('ready')
            deadline = time.time() + 10
            while len(seen) < 4 and time.time() < deadline: time.sleep(0.01)
            print(json.dumps(seen))
            """, server.SearchPort);
        await python.Ready();

        monitored.Update(2.0);
        monitored.Update(2.0); // unchanged: no update for DBE_VALUE | DBE_ALARM
        monitored.Update(3.0, AlarmSeverity.Major, 3);
        monitored.Update(4.0);

        var seen = (await python.ResultAsync()).EnumerateArray().ToList();
        Assert.Equal([1.0, 2.0, 3.0, 4.0], seen.Select(s => s[0].GetDouble()));
        Assert.Equal([0, 0, 2, 0], seen.Select(s => s[1].GetInt32()));
        var stamp = DateTimeOffset.FromUnixTimeMilliseconds((long)(seen[^1][2].GetDouble() * 1000)).UtcDateTime;
        Assert.InRange(stamp, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
    }

    /// <summary>
    /// An alarm handler's round: DBR_STSACK_STRING shows the transient alarm still to be acknowledged after it cleared
    /// (ACKS), DBR_PUT_ACKS acknowledges it, DBR_PUT_ACKT turns the need off; all through libca's ca_array_put.
    /// </summary>
    [Fact]
    public async Task An_alarm_handler_reads_stsack_string_and_acknowledges_with_put_acks_and_put_ackt()
    {
        var imon = new ProcessVariable("test:Alarmed", CaType.Double, 1.0) { Units = "uA", Precision = 3 };
        imon.Update(5.0, AlarmSeverity.Major, 3);
        imon.Update(1.0);
        await using var server = StartServer([imon]);
        var result = await PyEpics.RunAsync(Prelude + """
            import ctypes, struct
            from epics import ca, dbr
            ca.initialize_libca()
            ca.libca.ca_array_get.argtypes = [ctypes.c_long, ctypes.c_ulong, dbr.chid_t, ctypes.c_void_p]
            ca.libca.ca_array_put.argtypes = [ctypes.c_long, ctypes.c_ulong, dbr.chid_t, ctypes.c_void_p]
            chid = ca.create_channel('test:Alarmed', connect=True, auto_cb=False)
            ca.connect_channel(chid, timeout=5)
            def stsack():
                buffer = ctypes.create_string_buffer(48)
                assert ca.libca.ca_array_get(37, 1, chid, buffer) == dbr.ECA_NORMAL
                assert ca.libca.ca_pend_io(5.0) == dbr.ECA_NORMAL
                s, sevr, ackt, acks, value = struct.unpack('=HHHH40s', buffer.raw)
                return [s, sevr, ackt, acks, value.split(b'\0')[0].decode()]
            def put(code, value):
                data = ctypes.c_ushort(value)
                assert ca.libca.ca_array_put(code, 1, chid, ctypes.byref(data)) == dbr.ECA_NORMAL
                assert ca.libca.ca_pend_io(5.0) == dbr.ECA_NORMAL
            out = {'cleared': stsack()}
            put(36, 1)
            out['minor_acked'] = stsack()
            put(36, 2)
            out['major_acked'] = stsack()
            put(35, 0)
            out['no_ackt'] = stsack()
            print(json.dumps(out))
            """, server.SearchPort);

        int[] Fields(string key) => [.. result.GetProperty(key).EnumerateArray().Take(4).Select(e => e.GetInt32())];
        Assert.Equal([0, 0, 1, 2], Fields("cleared")); // no alarm now, but the MAJOR one is not acknowledged
        Assert.Equal("1.000", result.GetProperty("cleared")[4].GetString());
        Assert.Equal([0, 0, 1, 2], Fields("minor_acked")); // acknowledging less than MAJOR leaves it
        Assert.Equal([0, 0, 1, 0], Fields("major_acked"));
        Assert.Equal([0, 0, 0, 0], Fields("no_ackt"));
        Assert.False(imon.Snapshot().AckTransient);
    }

    [Fact]
    public async Task Ctrl_info_carries_units_limits_precision_and_enum_strings()
    {
        var result = await PyEpics.RunAsync(Prelude + """
            setv = epics.PV('test:00:000:V0Set', form='ctrl')
            setv.wait_for_connection(5)
            c = setv.get_ctrlvars(timeout=5)
            pw = epics.PV('test:00:000:Pw')
            pw.wait_for_connection(5)
            e = pw.get_ctrlvars(timeout=5)
            print(json.dumps({'units': c['units'], 'precision': c['precision'],
                              'upper_ctrl': c['upper_ctrl_limit'], 'lower_ctrl': c['lower_ctrl_limit'],
                              'upper_disp': c['upper_disp_limit'], 'enum_strs': list(e['enum_strs'])}))
            """, ioc.Port);

        Assert.Equal("V", result.GetProperty("units").GetString());
        Assert.Equal(2, result.GetProperty("precision").GetInt32());
        Assert.Equal(15.0, result.GetProperty("upper_ctrl").GetDouble());
        Assert.Equal(0.0, result.GetProperty("lower_ctrl").GetDouble());
        Assert.Equal(15.0, result.GetProperty("upper_disp").GetDouble());
        Assert.Equal(["Off", "On"], result.GetProperty("enum_strs").EnumerateArray().Select(e => e.GetString()));
    }
}
