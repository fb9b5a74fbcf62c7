using TrackerDcs.Web.Panel.Components;
using Xunit;

namespace TrackerDcs.Tests.Panel;

/// <summary>How the panel writes a reading; MARTA's subcooling showed "-0.0 K" from a value of -0.02.</summary>
public sealed class ReadingTests
{
    [Theory]
    [InlineData(-0.02, "0.0", "K", "0.0 K")]
    [InlineData(-0.004, "0.00", "V", "0.00 V")]
    [InlineData(-0.4, "0", "rpm", "0 rpm")]
    [InlineData(-0.06, "0.0", "K", "-0.1 K")]
    [InlineData(21.345, "0.00", "°C", "21.35 °C")]
    [InlineData(1.5, "0.0", "", "1.5")]
    public void A_value_is_rounded_and_noise_around_zero_has_no_sign(double value, string format, string unit, string expected) =>
        Assert.Equal(expected, Reading.Format(value, format, unit));

    [Theory]
    [InlineData(null)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void No_value_is_a_dash(double? value) => Assert.Equal("—", Reading.Format(value, "0.0", "V"));
}
