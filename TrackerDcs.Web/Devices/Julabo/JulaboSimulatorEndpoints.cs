using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Devices.Julabo;

/// <summary>
/// Fault injection into the simulated chiller, for demos and tests (admins only; 404 with a real unit):
/// an alarm code, manual mode, a pulled cable, a heat load the unit cannot hold (the bath leaves the
/// warning band: -03), a unit that will not take its warning limits.
/// </summary>
public static class JulaboSimulatorEndpoints
{
    public static void MapJulaboSimulator(this WebApplication app)
    {
        var group = app.MapGroup("/api/simulator/julabo").RequireAuthorization(p => p.RequireRole(nameof(Role.Admin)));
        group.MapPost("/alarm", (JulaboService julabo, int code, string? text) => Inject(julabo, s =>
        {
            if (code >= 0) throw new ArgumentException($"an alarm code is negative, not {code}");
            s.RaiseAlarm(code, text ?? "SIMULATED ALARM");
        }));
        group.MapPost("/clear", (JulaboService julabo) => Inject(julabo, s => s.ClearAlarm()));
        group.MapPost("/manual", (JulaboService julabo) => Inject(julabo, s => s.SwitchToManual()));
        group.MapPost("/remote", (JulaboService julabo) => Inject(julabo, s => s.SwitchToRemote()));
        group.MapPost("/unplug", (JulaboService julabo) => Inject(julabo, s => s.Unplug()));
        group.MapPost("/plug", (JulaboService julabo) => Inject(julabo, s => s.Plug()));
        group.MapPost("/heat", (JulaboService julabo, double kelvin) => Inject(julabo, s => s.ExtraHeat = kelvin));
        group.MapPost("/limits", (JulaboService julabo, string writes) => Inject(julabo, s =>
            s.LimitWrites = Enum.TryParse<Hardware.Julabo.JulaboLimitWrites>(writes, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
                ? mode
                : throw new ArgumentException($"writes must be accept, ignore, refuse or unsupported, not \"{writes}\"")));
    }

    private static IResult Inject(JulaboService julabo, Action<Hardware.Julabo.JulaboSimulator> fault)
    {
        if (julabo.Device.Simulator is not { } simulator) return Results.NotFound(new { error = "the chiller is not simulated" });
        try
        {
            fault(simulator);
        }
        catch (ArgumentException e)
        {
            return Results.BadRequest(new { error = e.Message });
        }
        return Results.Ok(new { done = true });
    }
}
