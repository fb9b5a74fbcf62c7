using TrackerDcs.Hardware.Sensors;
using TrackerDcs.Web.Devices.Sensors;

namespace TrackerDcs.Tests.Sensors;

public sealed class DewPointTests
{
    [Theory]
    [InlineData(20.0, 50.0, 9.26)]   // reference values of the Magnus formula (Sonntag 1990 constants)
    [InlineData(25.0, 60.0, 16.69)]
    [InlineData(0.0, 100.0, 0.0)]
    [InlineData(-10.0, 80.0, -12.80)]
    public void Magnus_formula(double temperature, double humidity, double expected) =>
        Assert.Equal(expected, DewPoint.Celsius(temperature, humidity)!.Value, 2);

    [Theory]
    [InlineData(20.0, 0.0)]
    [InlineData(20.0, 120.0)]
    [InlineData(double.NaN, 50.0)]
    public void No_dew_point_from_impossible_readings(double temperature, double humidity) =>
        Assert.Null(DewPoint.Celsius(temperature, humidity));

    [Fact]
    public void A_box_without_its_own_dew_point_gets_one_from_bme_temperature_and_humidity()
    {
        var box = new SensorBox("ESP01", new Dictionary<string, double> { ["BME_temp"] = 20, ["BME_humi"] = 50 }, DateTimeOffset.UtcNow);
        Assert.Equal(9.26, box.DewPoint!.Value, 2);
        Assert.Equal(3.5, (box with { Readings = new Dictionary<string, double> { ["BME_dew"] = 3.5 } }).DewPoint);
        Assert.Null((box with { Readings = new Dictionary<string, double> { ["DS_temp"] = 20 } }).DewPoint);
    }

    [Theory]
    [InlineData(21.0, 7.0)]
    [InlineData(18.0, 17.5)]
    [InlineData(-5.0, -20.0)]
    public void Relative_humidity_is_the_inverse_of_the_dew_point(double temperature, double dewPoint) =>
        Assert.Equal(dewPoint, DewPoint.Celsius(temperature, DewPoint.RelativeHumidity(temperature, dewPoint))!.Value, 6);

    [Fact]
    public void A_simulated_box_reads_clean_room_air_whose_dew_point_is_the_room_s()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var box = new SimulatedSensorBox(clock);
        for (var minute = 0; minute < 40; minute++, clock.Advance(TimeSpan.FromMinutes(1)))
        {
            var readings = box.Read().ToDictionary(r => $"{r.Sensor}_{r.Quantity}", r => r.Value);
            Assert.Equal(["BME_temp", "BME_humi", "DS_temp"], readings.Keys);
            Assert.InRange(readings["BME_temp"], 20.5, 21.5);
            Assert.InRange(readings["BME_humi"], 35, 45);
            // Noise of 0.1 °C and 0.5 %RH moves the computed dew point by a few tenths at most.
            Assert.Equal(7, DewPoint.Celsius(readings["BME_temp"], readings["BME_humi"])!.Value, 0.5);
        }
        box.AirDewPoint = 19;   // the dry-air supply fails on a humid day
        var humid = box.Read().ToDictionary(r => $"{r.Sensor}_{r.Quantity}", r => r.Value);
        Assert.InRange(humid["BME_humi"], 80, 95);
        box.Silent = true;
        Assert.Empty(box.Read());
    }
}
