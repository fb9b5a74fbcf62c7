using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Devices.Julabo;

/// <summary>
/// Fault injection into the simulated chiller, for demos and tests (admins only; 404 with a real unit):
/// an alarm code, manual mode, a pulled cable, a heat load the unit cannot hold (the bath leaves the
/// warning band: -03), a unit that will not take its warning limits, an external Pt100 unplugged ("---.--").
/// </summary>
public static class JulaboSimulatorEndpoints
{
    public static void MapJulaboSimulator(this WebApplication app)
    {
        var group = app.MapGroup("/api/simulator/julabo").RequireAuthorization(p => p.RequireRole(nameof(Role.Admin)));
        group.MapPost("/alarm", (JulaboLink link, int code, string? text) => Inject(link, s =>
        {
            if (code >= 0) throw new ArgumentException($"an alarm code is negative, not {code}");
            s.RaiseAlarm(code, text ?? "SIMULATED ALARM");
        }));
        group.MapPost("/clear", (JulaboLink link) => Inject(link, s => s.ClearAlarm()));
        group.MapPost("/manual", (JulaboLink link) => Inject(link, s => s.SwitchToManual()));
        group.MapPost("/remote", (JulaboLink link) => Inject(link, s => s.SwitchToRemote()));
        group.MapPost("/unplug", (JulaboLink link) => Inject(link, s => s.Unplug()));
        group.MapPost("/plug", (JulaboLink link) => Inject(link, s => s.Plug()));
        group.MapPost("/sensor", (JulaboLink link, bool present) => Inject(link, s => s.ExternalSensor = present));
        group.MapPost("/heat", (JulaboLink link, double kelvin) => Inject(link, s => s.ExtraHeat = kelvin));
        group.MapPost("/limits", (JulaboLink link, string writes) => Inject(link, s =>
            s.LimitWrites = Enum.TryParse<Hardware.Julabo.JulaboLimitWrites>(writes, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
                ? mode
                : throw new ArgumentException($"writes must be accept, ignore, refuse or unsupported, not \"{writes}\"")));
    }

    private static IResult Inject(JulaboLink link, Action<Hardware.Julabo.JulaboSimulator> fault)
    {
        if (link.Simulator is not { } simulator) return Results.NotFound(new { error = "the chiller is not simulated" });
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
