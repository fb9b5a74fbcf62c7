using TrackerDcs.Web.Runs;

namespace TrackerDcs.Tests.Runs;

/// <summary>
/// Run numbers, documents and run events across a restart of the process on the same data directory, with
/// InfluxDB configured but away until the end: the events are kept and written once it answers.
/// </summary>
public sealed class RunRestartTests : IAsyncLifetime
{
    private const string Database = "trackerdcs_restart_test";
    private readonly int _influxPort = FreePort.Tcp();
    private RunStand _stand = null!;
    private InfluxServer? _influx;

    public async Task InitializeAsync()
    {
        var settings = RunStand.Calibration("quick", ["--seconds", "0.5"]);
        foreach (var (k, v) in RunStand.Calibration("slow", ["--seconds", "60"])) settings[k] = v;
        settings["Runs:InfluxDb"] = $"http://127.0.0.1:{_influxPort}";
        settings["Runs:InfluxDatabase"] = Database;
        settings["Runs:InfluxRetryPeriod"] = "00:00:00.500";
        _stand = await RunStand.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _stand.DisposeAsync();
        if (_influx is not null) await _influx.DisposeAsync();
    }

    private async Task<long> RunAsync(string calibration)
    {
        var reply = await _stand.CommandAsync("ph2acf/cmd/start", $$"""{"calibration":"{{calibration}}","modules":["module_0"]}""");
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        return reply.GetProperty("data").GetProperty("run").GetInt64();
    }

    [Fact]
    public async Task A_calibration_left_running_by_a_crash_is_stopped_when_trackerdcs_starts_again()
    {
        var mark = _stand.Mark;
        var run = await RunAsync("slow");
        await _stand.StatusAsync("running", mark);
        var pid = (await _stand.Store().GetAsync(run))!.Pid!.Value;
        Assert.True(ProcessTree.IsAlive(pid));

        var outlived = false;
        try
        {
            await _stand.CrashAndStartAsync(() => outlived = ProcessTree.IsAlive(pid));
            Assert.True(outlived, "the calibration program outlives a crash of TrackerDcs");
            await _stand.StatusAsync("idle", 0);
            Assert.False(ProcessTree.IsAlive(pid), $"the calibration program (pid {pid}) still runs after the restart");
        }
        finally
        {
            // Orphaned, it is no longer in the stand's process tree: a failure here must not leave it running.
            if (ProcessTree.IsAlive(pid)) ProcessTree.KillAll([pid]);
        }
        var failed = (await _stand.Store().GetAsync(run))!;
        Assert.Equal(RunState.Failed, failed.State);
        Assert.Equal($"TrackerDcs stopped during the run; its program (pid {pid}) was still running and was stopped at the restart", failed.Reason);

        // The hardware is free again: the next run starts.
        var next = await RunAsync("quick");
        Assert.True(next > run);
    }

    [Fact]
    public async Task Run_numbers_are_never_reused_and_a_run_going_at_shutdown_is_stopped_and_recorded()
    {
        var mark = _stand.Mark;
        var first = await RunAsync("quick");
        await _stand.WaitForAsync("ph2acf/status", s => s.GetProperty("state").GetString() == "finished", "finished", mark);
        var second = await RunAsync("slow");
        Assert.True(second > first);
        await _stand.StatusAsync("running", mark);

        await _stand.RestartAsync();
        var idle = await _stand.StatusAsync("idle", 0);
        Assert.Equal(second, idle.GetProperty("run").GetInt64());
        var interrupted = await _stand.Store().GetAsync(second);
        Assert.Equal(RunState.Stopped, interrupted!.State);
        Assert.Equal("TrackerDcs is shutting down", interrupted.Reason);
        Assert.NotNull(interrupted.EndMs);

        var third = await RunAsync("quick");
        Assert.True(third > second, $"run {third} after {second}");
        await _stand.WaitForAsync("ph2acf/status", s => s.GetProperty("state").GetString() == "finished" && s.GetProperty("run").GetInt64() == third, "run 3 finished", 0);
        var numbers = (await _stand.Store().ListAsync(100)).Select(d => d.Run).ToList();
        Assert.Equal(numbers.Distinct().Count(), numbers.Count);

        _influx = new InfluxServer(_influxPort);
        await _influx.StartAsync();
        List<string> events = [];
        await RunStand.Eventually(async () =>
        {
            events = [.. (await _influx.QueryRowsAsync(Database, "SELECT * FROM runs")).Select(e => $"{e["run"]} {e["event"]}")];
            return events.Count == 6;
        }, "six run events in influxd", seconds: 15);
        Assert.Equal([$"{first} start", $"{first} end", $"{second} start", $"{second} end", $"{third} start", $"{third} end"], events);
    }
}
