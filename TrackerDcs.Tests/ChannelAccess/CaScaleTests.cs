using TrackerDcs.Hardware.ChannelAccess;
using static TrackerDcs.Tests.ChannelAccess.CaTest;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>A crate's worth of channels: about as many PVs as the CAEN map has (5 LV and 4 HV boards).</summary>
public class CaScaleTests
{
    [Fact]
    public async Task A_full_crate_of_channels_connects_and_monitors_over_one_circuit()
    {
        var pvs = Enumerable.Range(0, 1200).Select(i => new ProcessVariable($"test:{i / 100:00}:{i % 100:000}:VMon", CaType.Double, (double)i)).ToList();
        await using var server = StartServer(pvs);
        await using var client = new CaClient(OptionsFor(server.SearchPort));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var channels = await Task.WhenAll(pvs.Select(pv => client.ConnectAsync(pv.Name, timeout.Token)));
        var updates = 0;
        var monitors = await Task.WhenAll(channels.Select(c => c.SubscribeAsync(_ => Interlocked.Increment(ref updates), cancellationToken: timeout.Token)));
        foreach (var pv in pvs) pv.Update((double)pv.Value + 0.5);

        await Eventually.True(() => Volatile.Read(ref updates) == 2 * pvs.Count, "every channel's initial and changed value");
        Assert.Equal(1, server.CircuitCount);
        Assert.Equal(pvs.Count, server.ChannelCount);
        foreach (var monitor in monitors) monitor.Dispose();
    }
}
