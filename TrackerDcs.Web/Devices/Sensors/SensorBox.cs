namespace TrackerDcs.Web.Devices.Sensors;

/// <summary>The latest readings of one sensor box (ESP01 …), keyed as the InfluxDB fields: BME_temp, BME_humi, …</summary>
public sealed record SensorBox(string Name, IReadOnlyDictionary<string, double> Readings, DateTimeOffset LastSeen)
{
    /// <summary>Sent by the box, else computed from its BME temperature and humidity.</summary>
    public double? DewPoint => Readings.TryGetValue("BME_dew", out var dew) ? dew
        : Readings.TryGetValue("BME_temp", out var t) && Readings.TryGetValue("BME_humi", out var h) ? Hardware.Sensors.DewPoint.Celsius(t, h)
        : null;
}
