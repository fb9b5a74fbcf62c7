using System.Globalization;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Procedures;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Hosting;

/// <summary>
/// Below Alarms:DiskFreePercentMin (the system.disk alarm's threshold) nothing new that writes to the data disk for
/// long may start: a Ph2_ACF run (log, result files, histograms) or a procedure (its steps, the runs of its steps).
/// What already runs is not stopped: a calibration or a thermal cycle cut in the middle leaves the modules in a state
/// nobody chose, which is less safe than letting it finish. That includes the runs a running procedure's steps
/// start: refusing one would fail the procedure and run its on_abort, which is stopping it. It lives with the host's
/// wiring because it joins the storage, the runs and the procedures, which do not know each other.
/// </summary>
public sealed class LowDiskGuard(DataDirectory data, double freePercentMin)
{
    /// <summary>On the bus once every device's commands are: the system.disk alarm's threshold is where new starts stop.</summary>
    public static void Use(WebApplication app) =>
        app.Services.GetRequiredService<CommandBus>().AddGuard(new LowDiskGuard(app.Services.GetRequiredService<DataDirectory>(),
            app.Services.GetRequiredService<AlarmOptions>().DiskFreePercentMin).Refusal);

    public static readonly IReadOnlySet<string> Starts = new HashSet<string>(StringComparer.Ordinal)
    {
        $"{RunController.Root}/cmd/start",
        $"{ProcedureRunner.Root}/cmd/start",
    };

    /// <summary>A command bus guard: null, or why the start is refused, naming the free space and the setting.</summary>
    public string? Refusal(CommandRequest request)
    {
        if (!Starts.Contains(request.Topic) || request.Origin == CommandOrigin.Procedure) return null;
        var space = data.FreeSpace();
        if (space.FreePercent >= freePercentMin) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"the data disk {space.Mount} has {space}, below Alarms:DiskFreePercentMin {freePercentMin} %: nothing new starts until space is freed (what runs goes on)");
    }
}
