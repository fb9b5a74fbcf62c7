using TrackerDcs.Hardware.Marta;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Devices.Marta;

/// <summary>
/// Fault injection into the simulated plant, for demos and tests (admins only; 404 with a real PLC): an alarm bit
/// by its register name (a fail-safe bit, _FS or _TS, trips the plant: status 3, ALARM), clearing one or all, a PLC
/// that stops answering (the link is lost: DISCONNECTED) and answers again, and a write at the plant's own panel.
/// </summary>
public static class MartaSimulatorEndpoints
{
    public static void MapMartaSimulator(this WebApplication app)
    {
        var group = app.MapGroup("/api/simulator/marta").RequireAuthorization(p => p.RequireRole(nameof(Role.Admin)));
        group.MapPost("/alarm", (MartaLink link, string bit) => Inject(link, s => s.InjectAlarm(bit)));
        group.MapPost("/clear", (MartaLink link, string? bit) => Inject(link, s =>
        {
            foreach (var set in bit is null ? s.ActiveAlarms : [bit]) s.ClearAlarm(Known(link, set));
        }));
        group.MapPost("/unplug", (MartaLink link) => Inject(link, s =>
        {
            s.Answering = false;
            s.DropConnections();
        }));
        group.MapPost("/plug", (MartaLink link) => Inject(link, s => s.Answering = true));
        group.MapPost("/panel", (MartaLink link, string register, double value) => Inject(link, s => s.WriteAtPanel(Known(link, register), value)));
    }

    private static string Known(MartaLink link, string register) =>
        link.Map.Find(register) is not null ? register : throw new ArgumentException($"'{register}' is not a register of {link.Map.File}");

    private static IResult Inject(MartaLink link, Action<MartaSimulator> fault)
    {
        if (link.Simulator is not { } simulator) return Results.NotFound(new { error = "MARTA is not simulated" });
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
