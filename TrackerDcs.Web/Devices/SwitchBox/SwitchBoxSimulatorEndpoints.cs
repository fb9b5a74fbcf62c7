using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Devices.SwitchBox;

/// <summary>
/// Fault injection into the simulated switch box, for demos and tests (admins only; 404 without one): a channel
/// relay welded shut, relays set by hand at the box, a hung firmware, noise or lost answers, a pulled cable.
/// </summary>
public static class SwitchBoxSimulatorEndpoints
{
    public static void MapSwitchBoxSimulator(this WebApplication app)
    {
        var group = app.MapGroup("/api/simulator/switchbox").RequireAuthorization(p => p.RequireRole(nameof(Role.Admin)));
        group.MapPost("/stuck", (SwitchBoxService service, int channel) => Inject(service, s =>
        {
            if (!SwitchBoxProtocol.IsChannel(channel)) throw new ArgumentException($"channel {channel} does not exist (1..{SwitchBoxProtocol.ChannelCount})");
            s.ForceChannelOn(channel);
        }));
        group.MapPost("/unstick", (SwitchBoxService service) => Inject(service, s => s.Unstick()));
        group.MapPost("/relays", (SwitchBoxService service, string status) => Inject(service, s =>
            s.SetRelays(SwitchBoxProtocol.TryParseStatus(status, out var relays, out var error) ? relays : throw new ArgumentException(error))));
        group.MapPost("/hang", (SwitchBoxService service) => Inject(service, s => s.StopAnswering()));
        group.MapPost("/resume", (SwitchBoxService service) => Inject(service, s => s.Resume()));
        group.MapPost("/garbage", (SwitchBoxService service, int answers) => Inject(service, s => s.SendGarbage(Positive(answers))));
        group.MapPost("/drop", (SwitchBoxService service, int answers) => Inject(service, s => s.DropAnswers(Positive(answers))));
        group.MapPost("/unplug", (SwitchBoxService service) => Inject(service, s => s.Unplug()));
        group.MapPost("/plug", (SwitchBoxService service) => Inject(service, s => s.Plug()));
    }

    private static int Positive(int answers) => answers > 0 ? answers : throw new ArgumentException($"answers must be positive, not {answers}");

    private static IResult Inject(SwitchBoxService service, Action<SwitchBoxSimulator> fault)
    {
        if (service.Simulator is not { } simulator) return Results.NotFound(new { error = "the switch box is not simulated" });
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
