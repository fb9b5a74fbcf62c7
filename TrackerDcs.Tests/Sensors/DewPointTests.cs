using TrackerDcs.Web.Sensors;

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
}
