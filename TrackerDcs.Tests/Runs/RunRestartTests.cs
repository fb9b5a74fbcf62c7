using TrackerDcs.Web.Runs;

namespace TrackerDcs.Tests.Runs;

/// <summary>Run numbers and documents across a restart of the process on the same data directory.</summary>
public sealed class RunRestartTests : IAsyncLifetime
{
    private RunStand _stand = null!;

    public async Task InitializeAsync()
    {
        var settings = RunStand.Calibration("quick", ["--seconds", "0.5"]);
        foreach (var (k, v) in RunStand.Calibration("slow", ["--seconds", "60"])) settings[k] = v;
        _stand = await RunStand.StartAsync(settings);
    }

    public Task DisposeAsync() => _stand.DisposeAsync().AsTask();

    private async Task<long> RunAsync(string calibration)
    {
        var reply = await _stand.CommandAsync("ph2acf/cmd/start", $$"""{"calibration":"{{calibration}}","modules":["module_0"]}""");
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        return reply.GetProperty("data").GetProperty("run").GetInt64();
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
        var numbers = (await _stand.Store().ListAsync(100)).Select(d => d.Run).ToList();
        Assert.Equal(numbers.Distinct().Count(), numbers.Count);
    }
}
