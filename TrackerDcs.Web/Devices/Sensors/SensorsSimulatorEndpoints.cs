using TrackerDcs.Hardware.Sensors;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Devices.Sensors;

/// <summary>
/// Fault injection into the simulated sensor box, for demos and tests (admins only; 404 without Sensors:Simulated):
/// the room's air turns humid (its dew point, °C), the cold plate's temperature, the box falls silent or speaks again.
/// </summary>
public static class SensorsSimulatorEndpoints
{
    public static void MapSensorsSimulator(this WebApplication app)
    {
        var group = app.MapGroup("/api/simulator/sensors").RequireAuthorization(p => p.RequireRole(nameof(Role.Admin)));
        group.MapPost("/dewpoint", (SensorsService sensors, double celsius) => Inject(sensors, box =>
            box.AirDewPoint = celsius is >= -40 and <= 40 ? celsius : throw new ArgumentException($"a room's dew point is within -40..40 °C, not {celsius}")));
        group.MapPost("/plate", (SensorsService sensors, double? celsius) => Inject(sensors, box => box.PlateTemperature = celsius));
        group.MapPost("/silence", (SensorsService sensors) => Inject(sensors, box => box.Silent = true));
        group.MapPost("/resume", (SensorsService sensors) => Inject(sensors, box => box.Silent = false));
    }

    private static IResult Inject(SensorsService sensors, Action<SimulatedSensorBox> fault)
    {
        if (sensors.Simulator is not { } box) return Results.NotFound(new { error = "no simulated sensor box (Sensors:Simulated)" });
        try
        {
            fault(box);
        }
        catch (ArgumentException e)
        {
            return Results.BadRequest(new { error = e.Message });
        }
        sensors.PublishSimulatedNow();
        return Results.Ok(new { done = true });
    }
}
