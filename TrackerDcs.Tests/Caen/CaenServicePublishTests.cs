using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Devices.Caen;

namespace TrackerDcs.Tests.Caen;

/// <summary>
/// Issue 16, finding 5: dcs/status said LV_MIX in the same burst as three channels all LV_ON, because status and
/// channels were two snapshots. The service over the simulated crate (real Channel Access on loopback), LV
/// switched on and off while it publishes: every burst's channels agree with the dcs/status in force.
/// </summary>
public sealed class CaenServicePublishTests
{
    private const string Map = """
        name: dcs
        channels:
          "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }
          "1": { module: module_1, lv: { board: 0, chan: 1 }, hv: { board: 12, chan: 1 } }
          "2": { module: module_2, lv: { board: 0, chan: 2 }, hv: { board: 12, chan: 2 } }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10.,
                tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 200., maxI: 500., rampUpSpeed: 100., rampDwnSpeed: 100., tripTime: 1.,
                tripInt: 0b0, tripExt: 0x11, tripMode: Kill, imRange: Low, maxV: 600. }
        """;

    [Fact]
    public async Task Every_dcs_status_agrees_with_the_channels_published_with_it()
    {
        var options = new CaenOptions { Simulated = true, SimulatorPort = FreePort.ChannelAccess(), PublishPeriod = TimeSpan.FromMilliseconds(100) };
        var publisher = new RecordingPublisher();
        var link = new CaenLink(options, new ChannelAccessOptions(), NullLoggerFactory.Instance);
        using var database = new TempDatabase();
        var setPoints = new CaenSetPoints(database.Database, TimeProvider.System, NullLogger<CaenSetPoints>.Instance);
        var service = new CaenService(options, ChannelMap.Parse(Map, "test.yml"), link, setPoints, publisher, TimeProvider.System, NullLoggerFactory.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.True(() => service.View.State == "LV_OFF", "the crate read", seconds: 30);
            // Bounded: ten switching cycles, each waited for, the channels passing LV_MIX on the way each time.
            for (var cycle = 0; cycle < 10; cycle++)
            {
                Assert.Equal(CommandResult.Done, await service.Device.SwitchAsync(PowerKind.Lv, on: true, CancellationToken.None));
                await Eventually.True(() => service.View.State == "LV_ON", $"LV_ON in cycle {cycle}", seconds: 20);
                Assert.Equal(CommandResult.Done, await service.Device.SwitchAsync(PowerKind.Lv, on: false, CancellationToken.None));
                await Eventually.True(() => service.View.State == "LV_OFF", $"LV_OFF in cycle {cycle}", seconds: 20);
            }
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }

        // PublishAsync sends dcs/status (when it changed), then the three channels on dcs/channels.
        string? status = null;
        var burst = new List<string>();
        var bursts = 0;
        foreach (var message in publisher.Messages)
        {
            if (message.Topic == "dcs/status") status = State(message.Payload);
            if (message.Topic != "dcs/channels") continue;
            burst.Add(State(message.Payload));
            if (burst.Count < 3) continue;
            var states = string.Join(", ", burst);
            switch (status)
            {
                case "LV_ON" or "LV_OFF":
                    Assert.True(burst.All(s => s == status), $"dcs/status {status} with channels {states}");
                    break;
                case "LV_MIX":
                    Assert.True(burst.Contains("LV_ON") && burst.Contains("LV_OFF"), $"dcs/status LV_MIX with channels {states}");
                    break;
            }
            bursts++;
            burst.Clear();
        }
        Assert.True(bursts >= 20, $"only {bursts} bursts published");
        Assert.Contains("LV_ON", publisher.Payloads("dcs/status").Select(State));
    }

    private static string State(string payload) => JsonDocument.Parse(payload).RootElement.GetProperty("fsm_state").GetString()!;
}
