using TrackerDcs.Hardware.Julabo;

namespace TrackerDcs.Tests.Julabo;

/// <summary>The simulated physics with no clock: time is handed in.</summary>
public class JulaboBathTests
{
    private static JulaboBath Bath() => new(ambient: 22, TimeSpan.FromMinutes(3), externalLag: TimeSpan.FromSeconds(45), TimeSpan.FromMinutes(30), heatLoad: 0.5);

    [Fact]
    public void Running_bath_relaxes_exponentially_to_the_set_point_and_cools_with_negative_power()
    {
        var bath = Bath();
        bath.Advance(TimeSpan.FromMinutes(3), running: true, setpoint: 2, externalControl: false);
        // One time constant: 63 % of the way from 22 to 2.
        Assert.Equal(22 - 20 * (1 - Math.Exp(-1)), bath.Bath, precision: 6);
        Assert.True(bath.Power < 0);
        Assert.True(bath.External > bath.Bath, "the module lags behind a cooling bath");
        bath.Advance(TimeSpan.FromHours(2), running: true, setpoint: 2, externalControl: false);
        Assert.Equal(2, bath.Bath, precision: 3);
        Assert.Equal(2.5, bath.External, precision: 3);
    }

    [Fact]
    public void Stopped_bath_drifts_slowly_to_ambient_with_no_power()
    {
        var bath = Bath();
        bath.Advance(TimeSpan.FromHours(2), running: true, setpoint: -20, externalControl: false);
        bath.Advance(TimeSpan.FromMinutes(3), running: false, setpoint: -20, externalControl: false);
        Assert.InRange(bath.Bath, -20, -15);
        Assert.Equal(0, bath.Power);
    }

    [Fact]
    public void External_control_brings_the_module_to_the_set_point()
    {
        var bath = Bath();
        bath.Advance(TimeSpan.FromHours(2), running: true, setpoint: 15, externalControl: true);
        Assert.Equal(15, bath.External, precision: 3);
        Assert.Equal(14.5, bath.Bath, precision: 3);
    }

    [Fact]
    public void Heating_gives_positive_power()
    {
        var bath = Bath();
        bath.Advance(TimeSpan.FromSeconds(10), running: true, setpoint: 40, externalControl: false);
        Assert.True(bath.Power > 0);
    }
}
