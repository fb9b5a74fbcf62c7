using TrackerDcs.Hardware.Julabo;

namespace TrackerDcs.Tests.Julabo;

/// <summary>
/// The unit's own warning limits (OUT_SP_03 high, OUT_SP_04 low): written at every connect before the
/// device reports OFF or ON, read back and compared; set points outside them refused; the unit's -03/-04
/// while the bath is outside them.
/// </summary>
public class JulaboWarningLimitsTests
{
    private static void Limits(JulaboSettings o)
    {
        o.WarningLimitHigh = 28;
        o.WarningLimitLow = -20;
    }

    [Theory]
    [InlineData(Link.Tcp)]
    [InlineData(Link.Pty)]
    public async Task The_unit_holds_the_configured_limits_before_the_device_reports_OFF(Link link)
    {
        await using var rig = new JulaboRig(link, Limits);
        await rig.WaitForState(JulaboState.Off);
        Assert.Equal((28, -20), (rig.Simulator.WarningLimitHigh, rig.Simulator.WarningLimitLow));
        Assert.Null(rig.Device.LimitsProblem);

        // Written and read back before the first poll, so the first OFF already carries them.
        var received = rig.Received.ToList();
        Assert.True(received.IndexOf("OUT_SP_03 28.00") < received.IndexOf("IN_PV_00"), string.Join(" | ", received.Take(12)));
        Assert.True(received.IndexOf("OUT_SP_04 -20.00") < received.IndexOf("IN_PV_00"));
        Assert.True(received.IndexOf("IN_SP_03") < received.IndexOf("IN_PV_00"));
        var firstOff = rig.Changes.First(s => s.FsmState == JulaboState.Off);
        Assert.Equal((28.0, -20.0), (firstOff.LimitHigh, firstOff.LimitLow));
    }

    [Fact]
    public async Task Limits_changed_at_the_keypad_are_seen_and_a_reconnect_writes_them_again()
    {
        await using var rig = new JulaboRig(Link.Tcp, Limits);
        await rig.WaitForState(JulaboState.Off);

        rig.Simulator.SetWarningLimitsAtKeypad(40, -40);
        await Eventually.True(() => rig.Device.LimitsProblem is not null, "the changed limits noticed by a poll");
        Assert.Equal("the chiller holds warning limits high 40 °C, low -40 °C, not the configured high 28 °C, low -20 °C (Julabo:WarningLimitHigh, Julabo:WarningLimitLow)",
            rig.Device.LimitsProblem);
        await rig.WaitFor(s => s.LimitHigh == 40, "limit_high shows what the unit holds");

        await rig.Device.ReconnectAsync();
        await ConfiguredLimitsAgainAsync(rig, "limits written again on reconnect");
    }

    /// <summary>The unit holds the configured limits again, and the device reports OFF with them.</summary>
    private static async Task ConfiguredLimitsAgainAsync(JulaboRig rig, string why)
    {
        await Eventually.True(() => rig.Device.LimitsProblem is null, why);
        Assert.Equal((28, -20), (rig.Simulator.WarningLimitHigh, rig.Simulator.WarningLimitLow));
        await rig.WaitFor(s => s is { FsmState: JulaboState.Off, LimitHigh: 28, LimitLow: -20 }, "OFF with the configured limits");
    }

    [Fact]
    public async Task Limits_changed_in_manual_mode_are_written_again_when_the_unit_is_back_in_remote()
    {
        await using var rig = new JulaboRig(Link.Tcp, Limits);
        await rig.WaitForState(JulaboState.Off);

        rig.Simulator.SwitchToManual();
        await rig.WaitForState(JulaboState.Error);
        rig.Simulator.SetWarningLimitsAtKeypad(45, -45);
        await Eventually.True(() => rig.Device.LimitsProblem is not null, "the keypad's limits noticed while in manual mode");

        rig.Simulator.SwitchToRemote();
        await ConfiguredLimitsAgainAsync(rig, "limits written again once the unit is remote");
    }

    [Fact]
    public async Task Set_points_outside_the_warning_band_are_refused_naming_the_limit_and_nothing_is_sent()
    {
        await using var rig = new JulaboRig(Link.Tcp, Limits);
        await rig.WaitForState(JulaboState.Off);

        var high = await rig.Device.SetTemperatureAsync(1, 28.5);
        var low = await rig.Device.SetTemperatureAsync(2, -20.01);
        Assert.False(high.Ok);
        Assert.Equal("temp 28.5 is above the chiller's high temperature warning limit 28 °C (Julabo:WarningLimitHigh)", high.Error);
        Assert.False(low.Ok);
        Assert.Equal("temp -20.01 is below the chiller's low temperature warning limit -20 °C (Julabo:WarningLimitLow)", low.Error);
        Assert.True((await rig.Device.SetTemperatureAsync(3, 28)).Ok, "the limit itself is inside the band");

        // Nor is one kept for later while disconnected.
        rig.Simulator.Unplug();
        await rig.WaitForState(JulaboState.Disconnected);
        Assert.False((await rig.Device.SetTemperatureAsync(1, 35)).Ok);
        Assert.Empty(rig.Device.PendingSetpoints);

        Assert.DoesNotContain(rig.Received, l => l.StartsWith("OUT_SP_00", StringComparison.Ordinal) || l.StartsWith("OUT_SP_01", StringComparison.Ordinal));
        Assert.Equal((20, 20), (rig.Simulator.Setpoint(1), rig.Simulator.Setpoint(2)));
    }

    [Theory]
    [InlineData(Link.Tcp)]
    [InlineData(Link.Pty)]
    public async Task A_unit_that_refuses_the_limits_is_a_problem_naming_both_values_until_it_takes_them(Link link)
    {
        await using var rig = new JulaboRig(link, Limits, unit => unit.LimitWrites = JulaboLimitWrites.Refuse);
        await rig.WaitForState(JulaboState.Off);
        await Eventually.True(() => rig.Device.LimitsProblem is not null, "the refusal noticed");
        Assert.Equal("the chiller refused the warning limits (-09 COMMAND NOT ALLOWED IN CURRENT OPERATING MODE): it holds high 50 °C, low -50 °C, " +
            "not the configured high 28 °C, low -20 °C (Julabo:WarningLimitHigh, Julabo:WarningLimitLow)", rig.Device.LimitsProblem);
        // The refusal was taken by the limits check: the first poll does not see a -09 and the device is not in ERROR.
        Assert.DoesNotContain(rig.Changes, s => s.FsmState == JulaboState.Error);
        Assert.Equal((50.0, -50.0), (rig.Device.Status.LimitHigh, rig.Device.Status.LimitLow));

        rig.Simulator.LimitWrites = JulaboLimitWrites.Accept;
        if (rig.Pty is { } pty)
        {
            // Over the pty the cable is replugged: when the device closes its end, its next opens fail on socat's pair.
            pty.Kill();
            await rig.WaitForState(JulaboState.Disconnected);
            pty.Start();
        }
        else
        {
            await rig.Device.ReconnectAsync();
        }
        await Eventually.True(() => rig.Device.LimitsProblem is null, "the limits taken after a reconnect");
        Assert.Equal((28, -20), (rig.Simulator.WarningLimitHigh, rig.Simulator.WarningLimitLow));
    }

    [Fact]
    public async Task A_unit_that_ignores_the_limits_is_a_problem_too()
    {
        await using var rig = new JulaboRig(Link.Pty, Limits, unit => unit.LimitWrites = JulaboLimitWrites.Ignore);
        await rig.WaitForState(JulaboState.Off);
        await Eventually.True(() => rig.Device.LimitsProblem is not null, "the ignored limits noticed");
        Assert.StartsWith("the chiller holds warning limits high 50 °C, low -50 °C, not the configured high 28 °C, low -20 °C", rig.Device.LimitsProblem);
    }

    [Fact]
    public async Task A_unit_without_the_limit_commands_is_a_problem_but_the_link_stays_up_and_polls_skip_them()
    {
        await using var rig = new JulaboRig(Link.Tcp, Limits, unit => unit.LimitWrites = JulaboLimitWrites.Unsupported);
        await rig.WaitForState(JulaboState.Off);
        Assert.StartsWith("the chiller's warning limits could not be read back (", rig.Device.LimitsProblem);
        Assert.Contains("no reply to IN_SP_03", rig.Device.LimitsProblem);
        Assert.Contains("the unit says -08 INVALID COMMAND", rig.Device.LimitsProblem);
        Assert.Contains("wanted the configured high 28 °C, low -20 °C", rig.Device.LimitsProblem);

        // The -08 was taken by the check: no ERROR, no lost link, and the polls no longer ask.
        var asked = rig.Received.Count(l => l == "IN_SP_03");
        await Eventually.True(() => rig.Received.Count(l => l == "STATUS") > 5, "a few polls");
        Assert.Equal(asked, rig.Received.Count(l => l == "IN_SP_03"));
        Assert.DoesNotContain(rig.Changes, s => s.FsmState is JulaboState.Error or JulaboState.Disconnected);
        Assert.True((await rig.Device.StartAsync()).Ok);
        await rig.WaitForState(JulaboState.On);
    }

    [Fact]
    public async Task The_bath_outside_the_band_reports_minus_03_or_minus_04_until_it_is_back()
    {
        await using var rig = new JulaboRig(Link.Tcp, Limits);
        await rig.WaitForState(JulaboState.Off);
        await rig.Device.StartAsync();
        await rig.WaitFor(s => s.FsmState == JulaboState.On && Math.Abs(s.InternalTemp!.Value - 20) < 0.5, "ON at 20 °C");

        // A heat load the unit cannot take away: the bath settles 15 K above its set point, past the 28 °C limit.
        rig.Simulator.ExtraHeat = 15;
        await rig.WaitFor(s => s is { FsmState: JulaboState.Error, StatusCode: -3 }, "-03 excess temperature warning");
        Assert.Equal("EXCESS TEMPERATURE WARNING", rig.Device.StatusText);
        Assert.True(rig.Device.Status.InternalTemp > 28);
        Assert.True(rig.Simulator.Running, "a warning does not stop the unit");
        rig.Simulator.ExtraHeat = 0;
        await rig.WaitFor(s => s is { FsmState: JulaboState.On, StatusCode: 3 }, "back in band: ON");

        Assert.True((await rig.Device.SetTemperatureAsync(1, -19)).Ok);
        await rig.WaitFor(s => Math.Abs(s.InternalTemp!.Value + 19) < 0.5, "bath at -19 °C");
        rig.Simulator.ExtraHeat = -3; // the set point near the limit and a little overshoot
        await rig.WaitFor(s => s is { FsmState: JulaboState.Error, StatusCode: -4 }, "-04 low temperature warning");
        Assert.Equal("LOW TEMPERATURE WARNING", rig.Device.StatusText);
        rig.Simulator.ExtraHeat = 0;
        await rig.WaitFor(s => s is { FsmState: JulaboState.On, StatusCode: 3 }, "back in band: ON");
    }
}
