namespace TrackerDcs.Web.Runs;

/// <summary>
/// Publishes the first ph2acf/status, sends run events kept while InfluxDB was away, and, when the process
/// stops, stops a run still going. A background service, because publishing waits for the broker, which
/// starts only after the host has started.
/// </summary>
public sealed class RunsService(RunController controller, RunsOptions options, ILogger<RunsService> log, InfluxRunEventSink? events = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await controller.InitializeAsync(stoppingToken);
        }
        // A store that is away at start must not stop the stand; the log says why.
        catch (MongoUnreachable e)
        {
            log.LogError("Run store {Kind} not usable at start: {Error}", controller.Store.Kind, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Run store {Kind} not usable at start", controller.Store.Kind);
        }
        if (events is null) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await events.FlushAsync(stoppingToken)) log.LogInformation("Run events kept while InfluxDB was away are written");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !stoppingToken.IsCancellationRequested)
            {
                log.LogDebug("InfluxDB still away: {Error}", e.Message);
            }
            try
            {
                await Task.Delay(options.InfluxRetryPeriod, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await controller.ShutdownAsync();
        await base.StopAsync(cancellationToken);
    }
}
