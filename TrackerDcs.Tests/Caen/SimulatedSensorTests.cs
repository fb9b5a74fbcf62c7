using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.Caen;

namespace TrackerDcs.Tests.Caen;

/// <summary>
/// The simulated sensor's IV curve (√V to full depletion, then nearly flat; ×2 per 7 K; avalanche above breakdown;
/// a charging transient after each voltage step), on its own and behind an HV channel of the simulated crate.
/// </summary>
public sealed class SimulatedSensorTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly SimulatedCaenCrate _crate;

    public SimulatedSensorTests() => _crate = new SimulatedCaenCrate("cleanroom", _clock);

    private double Amps(int board, int channel) => (double)_crate.Find(CaenPvNames.Channel("cleanroom", board, channel, "IMon"))!.Value;

    private void Put(int board, int channel, string field, object value) =>
        Assert.Null(_crate.Find(CaenPvNames.Channel("cleanroom", board, channel, field))!.Put(value));

    private void Run(double seconds)
    {
        for (var t = 0; t < Math.Round(seconds * 10); t++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            _crate.Tick();
        }
    }

    [Fact]
    public void Below_full_depletion_the_current_grows_as_the_square_root_of_the_bias_then_it_is_nearly_flat()
    {
        var sensor = new SensorIv(DepletionVolts: 200, DepletedMicroamps: 2, PlateauMicroampsPerVolt: 0.001);

        Assert.Equal(0, sensor.Steady(0));
        Assert.Equal(1, sensor.Steady(50), 9);   // a quarter of the depletion voltage: half the current
        Assert.Equal(2, sensor.Steady(200), 9);
        Assert.Equal(2.4, sensor.Steady(600), 9); // 400 V beyond depletion at 1 nA/V
    }

    [Fact]
    public void The_current_doubles_for_every_7_K_of_sensor_temperature()
    {
        var warm = new SensorIv(Celsius: 27);
        var room = new SensorIv(Celsius: 20);
        var cold = new SensorIv(Celsius: -15);

        Assert.Equal(2 * room.Steady(300), warm.Steady(300), 9);
        Assert.Equal(room.Steady(300) / 32, cold.Steady(300), 9);
    }

    [Fact]
    public void Above_the_breakdown_voltage_the_current_rises_exponentially()
    {
        var sensor = new SensorIv(BreakdownVolts: 500, BreakdownScaleVolts: 10);
        var flat = sensor with { BreakdownVolts = double.PositiveInfinity };

        Assert.Equal(flat.Steady(500), sensor.Steady(500), 9);
        Assert.Equal(flat.Steady(520) * Math.Exp(2), sensor.Steady(520), 9);
        Assert.True(sensor.Steady(550) / sensor.Steady(540) > 2.5);
    }

    [Fact]
    public void Behind_an_HV_channel_a_voltage_step_brings_a_charging_transient_that_decays_to_the_curve()
    {
        var sensor = new SensorIv(DepletionVolts: 100, DepletedMicroamps: 1, PlateauMicroampsPerVolt: 0, ChargeMicroampsPerVolt: 0.05, TransientSeconds: 2);
        _crate.SetSensor(12, 0, sensor);
        Put(12, 0, "RUp", 500.0);
        Put(12, 0, "V0Set", 100.0);
        Put(12, 0, "Pw", "On");

        Run(0.3);
        var charging = Amps(12, 0);
        Run(20); // ten time constants

        Assert.True(charging > 4, $"right after a 100 V step the sensor draws its charging current, read {charging} µA");
        Assert.Equal(1, Amps(12, 0), 1);
        Assert.Equal(sensor.Steady(100), Amps(12, 0), 0.05);

        _crate.SetSensor(12, 0, sensor with { BreakdownVolts = 60 });
        Run(20);
        Assert.Equal(sensor.Steady(100) * Math.Exp(4), Amps(12, 0), 1);

        _crate.SetSensor(12, 0, null);
        Run(0.2);
        Assert.Equal(100 / SimulatedChannel.DefaultHvLoadMegaohms, Amps(12, 0), 0.05);
    }

    [Fact]
    public void A_sensor_goes_behind_an_HV_channel_with_sensible_parameters_only()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _crate.SetSensor(0, 0, new SensorIv()));
        Assert.Contains("depletion voltage", Assert.Throws<ArgumentOutOfRangeException>(() => _crate.SetSensor(12, 0, new SensorIv(DepletionVolts: 0))).Message);
    }
}
