using System.Text.Json;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Tests.Site;

/// <summary>What the uplink tells the site of the stand's environment: the stand's own dew-point margin, rounded so that it is sent on change only.</summary>
public sealed class SiteEnvironmentTests
{
    private static SensorBox Box(string name, double dewPoint) => new(name, new Dictionary<string, double> { ["BME_dew"] = dewPoint }, DateTimeOffset.UtcNow);

    [Fact]
    public void The_margin_is_the_coldest_temperature_minus_the_highest_dew_point_of_the_boxes_to_0_1_degrees()
    {
        var view = new SensorsView([Box("ESP01", 7.04), Box("ESP02", 9.22)], 19.31);

        var payload = JsonDocument.Parse(SiteEnvironment.Payload(view, 3)).RootElement;

        Assert.Equal((10.1, 9.2, 19.3, 3.0), (payload.GetProperty("dewpoint_margin").GetDouble(), payload.GetProperty("dewpoint").GetDouble(),
            payload.GetProperty("coldest").GetDouble(), payload.GetProperty("dewpoint_margin_min").GetDouble()));
        // A change below 0.05 °C gives the same payload: nothing new to send.
        Assert.Equal(SiteEnvironment.Payload(view, 3), SiteEnvironment.Payload(new SensorsView([Box("ESP01", 7.04), Box("ESP02", 9.23)], 19.32), 3));
    }

    [Fact]
    public void Without_a_dew_point_or_a_coldest_temperature_the_margin_is_null()
    {
        var payload = JsonDocument.Parse(SiteEnvironment.Payload(new SensorsView([], 19.3), 3)).RootElement;
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("dewpoint_margin").ValueKind);
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("dewpoint").ValueKind);
        Assert.Equal(19.3, payload.GetProperty("coldest").GetDouble());
    }
}
