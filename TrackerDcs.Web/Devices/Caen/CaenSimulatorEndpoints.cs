using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Devices.Caen;

/// <summary>
/// Fault injection into the simulated crate, for demos and tests (admins only; 404 on a real crate):
/// trip a channel, change a module's load, make an LV output drift (over- and under-voltage), put a sensor's IV curve behind an HV channel,
/// pull or reinsert a board, stop, start or restart the IOC.
/// </summary>
public static class CaenSimulatorEndpoints
{
    public static void MapCaenSimulator(this WebApplication app)
    {
        var group = app.MapGroup("/api/simulator/caen").RequireAuthorization(p => p.RequireRole(nameof(Role.Admin)));
        group.MapPost("/trip/{board:int}/{channel:int}", (CaenLink link, int board, int channel) =>
            Inject(link, crate => crate.Trip(board, channel), $"tripped {board}/{channel}"));
        group.MapPost("/load/{board:int}/{channel:int}", (CaenLink link, int board, int channel, double value) =>
            Inject(link, crate => crate.SetLoad(board, channel, value), $"load of {board}/{channel} is {value}"));
        group.MapPost("/drift/{board:int}/{channel:int}", (CaenLink link, int board, int channel, double volts) =>
            Inject(link, crate => crate.SetDrift(board, channel, volts), $"output of {board}/{channel} drifts by {volts} V"));
        // A sensor's IV curve behind an HV channel (SimulatedSensor.cs); a lower breakdown injects a breakdown; remove=true: the ohmic load again.
        group.MapPost("/sensor/{board:int}/{channel:int}", (CaenLink link, int board, int channel, double? depletion, double? current,
            double? breakdown, double? celsius, double? charge, double? tau, bool? remove) =>
        {
            var d = new Hardware.Caen.SensorIv();
            var sensor = remove == true ? null : d with
            {
                DepletionVolts = depletion ?? d.DepletionVolts, DepletedMicroamps = current ?? d.DepletedMicroamps,
                BreakdownVolts = breakdown ?? d.BreakdownVolts, Celsius = celsius ?? d.Celsius,
                ChargeMicroampsPerVolt = charge ?? d.ChargeMicroampsPerVolt, TransientSeconds = tau ?? d.TransientSeconds,
            };
            return Inject(link, crate => crate.SetSensor(board, channel, sensor), sensor is null ? $"{board}/{channel} drives its ohmic load" : $"{board}/{channel} biases {sensor}");
        });
        group.MapPost("/unplug/{board:int}", (CaenLink link, int board, bool? plugged) =>
            Inject(link, crate => crate.Unplug(board, unplugged: plugged != true), plugged == true ? $"board {board} back" : $"board {board} pulled"));
        group.MapPost("/ioc/{action}", async (CaenLink link, string action) =>
        {
            if (link.SimulatorServer is not { } server) return Results.NotFound(new { error = "the crate is not simulated" });
            switch (action)
            {
                case "stop": await server.StopAsync(); break;
                case "start": server.Start(); break;
                case "restart": await server.RestartAsync(); break;
                default: return Results.BadRequest(new { error = $"unknown IOC action '{action}' (stop, start, restart)" });
            }
            return Results.Ok(new { done = $"IOC {action}" });
        });
    }

    private static IResult Inject(CaenLink link, Action<Hardware.Caen.SimulatedCaenCrate> fault, string done)
    {
        if (link.Simulator is not { } crate) return Results.NotFound(new { error = "the crate is not simulated" });
        try
        {
            fault(crate);
        }
        catch (ArgumentException e)
        {
            return Results.BadRequest(new { error = e.Message });
        }
        return Results.Ok(new { done });
    }
}
