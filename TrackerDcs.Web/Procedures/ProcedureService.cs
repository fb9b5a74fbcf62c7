namespace TrackerDcs.Web.Procedures;

/// <summary>
/// Publishes the first procedures/status once the broker runs, and on shutdown ends a run going (its on_abort
/// included) while the devices still answer: hosted services stop in reverse order, and this one is added after them.
/// </summary>
public sealed class ProcedureService(ProcedureRunner runner, ILogger<ProcedureService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await runner.PublishIdleAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "procedures/status not published at start");
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await runner.ShutdownAsync();
        await base.StopAsync(cancellationToken);
    }
}
