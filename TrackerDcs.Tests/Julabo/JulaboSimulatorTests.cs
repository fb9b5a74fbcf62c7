using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.Julabo;

namespace TrackerDcs.Tests.Julabo;

/// <summary>
/// The simulated unit's replies as a real unit prints them, command by command, on a fake clock: numbers padded to a
/// fixed width, power in whole percent. The driver's tests against the simulator then read what they would read from a unit.
/// </summary>
public sealed class JulaboSimulatorTests
{
    private readonly FakeTimeProvider _clock = new();

    // Later than any minimum spacing between two commands.
    private string? Ask(JulaboSimulator unit, string command)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        return unit.Handle(command);
    }

    [Fact]
    public void Numbers_are_padded_as_a_unit_prints_them_and_power_is_in_whole_percent()
    {
        var unit = new JulaboSimulator(new JulaboSimulatorOptions { AmbientTemperature = 21.35, HeatLoad = 0.5 }, _clock);
        // Temperatures right-aligned in seven characters, set points and limits zero-padded to six.
        Assert.Equal("  21.35", Ask(unit, "IN_PV_00"));
        Assert.Equal("  21.85", Ask(unit, "IN_PV_02"));
        Assert.Equal("020.00", Ask(unit, "IN_SP_00"));
        Assert.Null(Ask(unit, "OUT_SP_01 -5.5"));
        Assert.Equal("-05.50", Ask(unit, "IN_SP_01"));
        Assert.Equal("050.00", Ask(unit, "IN_SP_03"));
        Assert.Equal("-50.00", Ask(unit, "IN_SP_04"));
        Assert.Equal("  0", Ask(unit, "IN_PV_01"));

        // Running toward -5.5 °C from 21 °C: cooling flat out, in whole percent.
        Assert.Null(Ask(unit, "OUT_MODE_01 1"));
        Assert.Null(Ask(unit, "OUT_MODE_05 1"));
        Assert.Equal("-100", Ask(unit, "IN_PV_01"));
    }

    [Fact]
    public void Without_an_external_sensor_the_unit_answers_no_reading()
    {
        var unit = new JulaboSimulator(new JulaboSimulatorOptions { ExternalSensor = false }, _clock);
        Assert.Equal(JulaboProtocol.NoReading, Ask(unit, "IN_PV_02"));
        unit.ExternalSensor = true;
        Assert.Matches(@"^ +\d+\.\d\d$", Ask(unit, "IN_PV_02"));
    }

    [Fact]
    public void A_command_that_comes_too_soon_after_the_previous_one_is_ignored()
    {
        var unit = new JulaboSimulator(new JulaboSimulatorOptions { MinCommandSpacing = TimeSpan.FromMilliseconds(250) }, _clock);
        var dropped = new List<string>();
        unit.CommandDropped += dropped.Add;

        Assert.Equal("02 REMOTE STOP", Ask(unit, "STATUS"));
        _clock.Advance(TimeSpan.FromMilliseconds(249));
        Assert.Null(unit.Handle("OUT_MODE_05 1"));
        Assert.False(unit.Running);
        _clock.Advance(TimeSpan.FromMilliseconds(249));
        // Counted from the last command taken, not from the one ignored.
        Assert.Equal("02 REMOTE STOP", unit.Handle("STATUS"));
        _clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Null(unit.Handle("OUT_MODE_05 1"));
        Assert.True(unit.Running);
        Assert.Equal(["OUT_MODE_05 1"], dropped);
    }
}
