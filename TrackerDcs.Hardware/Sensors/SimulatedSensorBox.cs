namespace TrackerDcs.Hardware.Sensors;

/// <summary>
/// A sensor box (the seed's ESP boards) in a clean room: a BME280 for the air's temperature and relative humidity,
/// and a DS18B20 probe on the box's cold plate. The air conditioning holds the room near 21 °C in a slow cycle;
/// the air's water content is set by its dew point (about 7 °C in a dry clean room), so the relative humidity moves
/// against the temperature as it does in real air. Each reading carries the sensor's noise. Fault injection: the
/// room's dew point (a humid spell, the dry-air supply failing) and a box that stops sending (<see cref="Silent"/>).
/// </summary>
public sealed class SimulatedSensorBox(TimeProvider time, int seed = 1)
{
    private const double RoomTemperature = 21, Swing = 0.3;
    private static readonly TimeSpan Cycle = TimeSpan.FromMinutes(20);
    private readonly Random _noise = new(seed);
    private readonly long _start = time.GetTimestamp();

    /// <summary>The dew point of the room's air, °C: what the humidity follows.</summary>
    public double AirDewPoint { get; set; } = 7;

    /// <summary>The cold plate's temperature, °C, that the DS18B20 probe reads (the room's, unless set).</summary>
    public double? PlateTemperature { get; set; }

    /// <summary>The box has stopped sending (power, Wi-Fi): <see cref="Read"/> returns nothing.</summary>
    public bool Silent { get; set; }

    /// <summary>One round of readings: sensor, quantity and value, as the box publishes them.</summary>
    public IReadOnlyList<(string Sensor, string Quantity, double Value)> Read()
    {
        if (Silent) return [];
        var phase = 2 * Math.PI * time.GetElapsedTime(_start).TotalSeconds / Cycle.TotalSeconds;
        var air = RoomTemperature + Swing * Math.Sin(phase);
        // BME280: ±0.1 °C and ±0.5 %RH of noise around the true values.
        var temperature = air + Noise(0.1);
        var humidity = Math.Clamp(DewPoint.RelativeHumidity(air, Math.Min(AirDewPoint, air)) + Noise(0.5), 0, 100);
        var plate = (PlateTemperature ?? air) + Noise(0.06);
        return [("BME", "temp", temperature), ("BME", "humi", humidity), ("DS", "temp", plate)];
    }

    private double Noise(double amplitude) => amplitude * (2 * _noise.NextDouble() - 1);
}
