namespace TrackerDcs.Web.Runs;

/// <summary>
/// Publishes the first ph2acf/status and, when the process stops, stops a run still going. A background
/// service, because publishing waits for the broker, which starts only after the host has started.
/// </summary>
public sealed class RunsService(RunController controller, ILogger<RunsService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await controller.InitializeAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A store that is away at start must not stop the stand; the log says why.
            log.LogError(e, "Run store {Kind} not usable at start", controller.Store.Kind);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await controller.ShutdownAsync();
        await base.StopAsync(cancellationToken);
    }
}
