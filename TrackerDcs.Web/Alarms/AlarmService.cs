namespace TrackerDcs.Web.Alarms;

/// <summary>Evaluates the built-in alarms continuously on the live state of the stand.</summary>
public sealed class AlarmService(AlarmOptions options, AlarmEvaluator evaluator, AlarmManager manager, ILogger<AlarmService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await manager.PublishActiveAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.EvaluationPeriod);
        try
        {
            do
            {
                try
                {
                    await manager.ReconcileAsync(evaluator.Evaluate(), stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One bad evaluation must not end the alarm system: log it and evaluate again.
                    log.LogError(e, "Alarm evaluation failed");
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
