using TrackerDcs.Hardware.Julabo;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Julabo;

/// <summary>The device against the simulator over TCP and over a socat pseudo-terminal pair.</summary>
public class JulaboDeviceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Link.Tcp)]
    [InlineData(Link.Pty)]
    public async Task Starts_and_stops(Link link)
    {
        await using var rig = new JulaboRig(link);
        await rig.WaitForState(JulaboState.Off);
        Assert.Equal(2, rig.Device.Status.StatusCode);
        Assert.StartsWith("JULABO", rig.Device.Version);

        Assert.True((await rig.Device.StartAsync()).Ok);
        await rig.WaitForState(JulaboState.On);
        Assert.Equal(3, rig.Device.Status.StatusCode);
        Assert.True(rig.Simulator.Running);

        Assert.True((await rig.Device.StopAsync()).Ok);
        await rig.WaitForState(JulaboState.Off);
        Assert.False(rig.Simulator.Running);
    }

    [Theory]
    [InlineData(Link.Tcp)]
    [InlineData(Link.Pty)]
    public async Task Changes_set_points_and_the_bath_follows(Link link)
    {
        await using var rig = new JulaboRig(link);
        await rig.WaitForState(JulaboState.Off);

        Assert.True((await rig.Device.SetTemperatureAsync(2, 5)).Ok);
        Assert.True((await rig.Device.UseSetpointAsync(2)).Ok);
        await rig.WaitFor(s => s is { Setpoint2: 5, UsedSetpoint: 2 }, "set point 2 = 5 °C in use");
        var ambient = rig.Device.Status.InternalTemp!.Value;

        Assert.True((await rig.Device.StartAsync()).Ok);
        await rig.WaitFor(s => s.Power < 0, "cooling power (negative)");
        await rig.WaitFor(s => s.InternalTemp < ambient - 5, "bath cooling toward 5 °C");
        await rig.WaitFor(s => Math.Abs(s.InternalTemp!.Value - 5) < 0.5, "bath at 5 °C");
        // The module's Pt100 lags behind and stays a little warmer (its heat load).
        await rig.WaitFor(s => s.ExternalTemp > s.InternalTemp && s.ExternalTemp < ambient, "external sensor following the bath");
    }

    [Theory]
    [InlineData(Link.Tcp)]
    [InlineData(Link.Pty)]
    public async Task Controls_on_the_external_sensor(Link link)
    {
        await using var rig = new JulaboRig(link);
        await rig.WaitForState(JulaboState.Off);
        await rig.Device.SetTemperatureAsync(1, 10);
        Assert.True((await rig.Device.UseExternalSensorAsync(true)).Ok);
        await rig.WaitFor(s => s.ExtIsUsed == true, "external sensor in control");
        await rig.Device.StartAsync();
        // With the external sensor in control it is the module, not the bath, that settles on the set point.
        await rig.WaitFor(s => Math.Abs(s.ExternalTemp!.Value - 10) < 0.2 && s.InternalTemp < s.ExternalTemp, "module at 10 °C, bath below");

        var internalSensor = await rig.Device.UseExternalSensorAsync(false);
        Assert.True(internalSensor.Ok, internalSensor.Error);
        await rig.WaitFor(s => s.ExtIsUsed == false, "internal sensor in control");
        var pump = await rig.Device.SetPumpPressureAsync(3);
        Assert.True(pump.Ok, pump.Error);
        await Eventually.True(() => rig.Simulator.PumpStage == 3, "pump stage 3");
    }

    [Fact]
    public async Task Pulling_the_serial_cable_disconnects_and_plugging_it_back_restores_the_state()
    {
        await using var rig = new JulaboRig(Link.Pty);
        await rig.WaitForState(JulaboState.Off);
        await rig.Device.StartAsync();
        await rig.WaitForState(JulaboState.On);

        rig.Pty!.Kill();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // At worst a poll period plus a reply time-out with its one retry; a hung-up pty is usually seen at once.
        var worst = rig.Options.PollPeriod + 2 * (rig.Options.ReplyTimeout + rig.Options.CommandInterval);
        await rig.WaitForState(JulaboState.Disconnected, seconds: worst.TotalSeconds + 2);
        output.WriteLine($"DISCONNECTED {clock.ElapsedMilliseconds} ms after the cable was pulled (worst case {worst.TotalMilliseconds} ms): {rig.Device.LastError}");
        Assert.NotNull(rig.Device.LastError);

        rig.Pty.Start();
        await rig.WaitForState(JulaboState.On);
        Assert.Null(rig.Device.LastError);
    }

    [Fact]
    public async Task Pulling_the_tcp_cable_disconnects_and_set_points_asked_meanwhile_are_applied_on_reconnect()
    {
        await using var rig = new JulaboRig(Link.Tcp);
        await rig.WaitForState(JulaboState.Off);

        rig.Simulator.Unplug();
        await rig.WaitForState(JulaboState.Disconnected);
        var queued = await rig.Device.SetTemperatureAsync(3, -12.5);
        Assert.True(queued.Ok, queued.Error);
        Assert.Contains(rig.Log.Entries, e => e.Text == "Julabo: chiller is disconnected: set point 3 = -12.50 °C will be sent when it is back");
        Assert.Equal(-12.5, rig.Device.PendingSetpoints[3]);
        Assert.False((await rig.Device.StartAsync()).Ok);

        rig.Simulator.Plug();
        await rig.WaitFor(s => s is { FsmState: JulaboState.Off, Setpoint3: -12.5 }, "set point 3 applied after reconnect");
        Assert.Equal(-12.5, rig.Simulator.Setpoint(3));
        Assert.Empty(rig.Device.PendingSetpoints);
    }

    [Fact]
    public async Task Invalid_commands_are_refused_with_a_reason_and_send_nothing()
    {
        await using var rig = new JulaboRig(Link.Tcp);
        await rig.WaitForState(JulaboState.Off);

        var results = new[]
        {
            await rig.Device.SetTemperatureAsync(4, 20),
            await rig.Device.SetTemperatureAsync(1, 99),
            await rig.Device.SetTemperatureAsync(1, double.NaN),
            await rig.Device.UseSetpointAsync(0),
            await rig.Device.SetPumpPressureAsync(5),
            await rig.Device.StopAsync(),
        };
        Assert.All(results, r => Assert.False(r.Ok));
        Assert.Equal("set point 4 does not exist (the unit has set points 1..3)", results[0].Error);
        Assert.Equal("temp 99 is outside the limits -50..50 °C", results[1].Error);
        Assert.Equal("pump pressure stage 5 is outside 1..4", results[4].Error);
        Assert.Equal("stop is not allowed while the chiller is OFF (allowed in ON, ERROR)", results[5].Error);
        Assert.DoesNotContain(rig.Received, line => line.StartsWith("OUT_", StringComparison.Ordinal) && !IsWarningLimitWrite(line));
        Assert.Equal(20, rig.Simulator.Setpoint(1));
        Assert.Equal(JulaboState.Off, rig.Device.State);

        await rig.Device.StartAsync();
        await rig.WaitForState(JulaboState.On);
        Assert.Equal("start is not allowed while the chiller is ON (allowed in OFF)", (await rig.Device.StartAsync()).Error);
    }

    private static bool IsWarningLimitWrite(string line) => line.StartsWith("OUT_SP_03 ", StringComparison.Ordinal) || line.StartsWith("OUT_SP_04 ", StringComparison.Ordinal);

    [Fact]
    public async Task An_alarm_or_manual_mode_is_an_error_that_stop_is_allowed_from()
    {
        await using var rig = new JulaboRig(Link.Tcp);
        await rig.WaitForState(JulaboState.Off);
        await rig.Device.StartAsync();
        await rig.WaitForState(JulaboState.On);

        rig.Simulator.RaiseAlarm(-1, "LOW LIQUID LEVEL ALARM");
        await rig.WaitFor(s => s is { FsmState: JulaboState.Error, StatusCode: -1 }, "alarm -01");
        Assert.Equal("LOW LIQUID LEVEL ALARM", rig.Device.StatusText);
        Assert.True((await rig.Device.StopAsync()).Ok);
        rig.Simulator.ClearAlarm();
        await rig.WaitForState(JulaboState.Off);

        rig.Simulator.SwitchToManual();
        await rig.WaitFor(s => s is { FsmState: JulaboState.Error, StatusCode: 0 }, "manual stop 00");
        rig.Simulator.SwitchToRemote();
        await rig.WaitForState(JulaboState.Off);
    }

    [Fact]
    public async Task Garbage_replies_disconnect_with_the_raw_reply_quoted_then_recover()
    {
        await using var rig = new JulaboRig(Link.Tcp);
        await rig.WaitForState(JulaboState.Off);

        rig.Simulator.SendGarbage(int.MaxValue);
        await rig.WaitForState(JulaboState.Disconnected);
        Assert.Contains("\\xFF\\xA7#?\\x15", rig.Device.LastError);

        rig.Simulator.SendGarbage(0);
        await rig.WaitForState(JulaboState.Off);
    }

    [Fact]
    public async Task A_single_garbled_reply_changes_nothing()
    {
        await using var rig = new JulaboRig(Link.Tcp);
        await rig.WaitForState(JulaboState.Off);
        rig.Changes.Clear();
        rig.Simulator.SendGarbage(1);
        await Eventually.True(() => rig.Received.Count(l => l == "STATUS") > 3, "a few more polls");
        Assert.DoesNotContain(rig.Changes, s => s.FsmState != JulaboState.Off);
    }

    [Fact]
    public async Task No_reply_disconnects_within_the_reply_timeout_and_recovers()
    {
        await using var rig = new JulaboRig(Link.Tcp);
        await rig.WaitForState(JulaboState.Off);

        rig.Simulator.DropReplies(int.MaxValue);
        await rig.WaitForState(JulaboState.Disconnected);
        Assert.Contains("no reply", rig.Device.LastError);

        rig.Simulator.DropReplies(0);
        await rig.WaitForState(JulaboState.Off);
    }

    [Fact]
    public async Task Slow_replies_within_the_timeout_are_fine()
    {
        await using var rig = new JulaboRig(Link.Tcp);
        rig.Simulator.ReplyDelay = TimeSpan.FromMilliseconds(50);
        await rig.WaitForState(JulaboState.Off);
        Assert.True((await rig.Device.StartAsync()).Ok);
        await rig.WaitForState(JulaboState.On);
    }

    [Fact]
    public async Task A_missing_serial_port_keeps_retrying_without_throwing()
    {
        await using var rig = new JulaboRig(Link.Tcp, o => o.Port = "/nonexistent/ttyUSB9");
        await Eventually.True(() => rig.Device.LastError?.Contains("/nonexistent/ttyUSB9") == true, "open error reported");
        Assert.Equal(JulaboState.Disconnected, rig.Device.State);
    }

    [Theory]
    [InlineData(Link.Tcp)]
    [InlineData(Link.Pty)]
    public async Task Reconnect_command_reopens_the_link(Link link)
    {
        await using var rig = new JulaboRig(link, o => o.ReconnectDelayMin = o.ReconnectDelayMax = TimeSpan.FromSeconds(30));
        await rig.WaitForState(JulaboState.Off);
        rig.Changes.Clear();
        Assert.True((await rig.Device.ReconnectAsync()).Ok);
        // Back at once despite the 30 s back-off: an operator's reconnect does not wait.
        await Eventually.True(() => rig.Changes.Any(s => s.FsmState == JulaboState.Disconnected) && rig.Device.State == JulaboState.Off,
            "disconnect then OFF again", seconds: 5);
    }
}
