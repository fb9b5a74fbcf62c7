namespace TrackerDcs.Web.Runs;

/// <summary>Publishes the first ph2acf/status and, when the process stops, stops a run still going.</summary>
public sealed class RunsService(RunController controller, ILogger<RunsService> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await controller.InitializeAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A store that is away at start must not stop the stand; /readyz shows it.
            log.LogError(e, "Run store {Kind} not usable at start", controller.Store.Kind);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => controller.ShutdownAsync();
}
