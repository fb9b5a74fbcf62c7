namespace TrackerDcs.Web.Audit;

/// <summary>
/// Brings the journaled rows (interlock actions while the database could not take rows) into the audit as
/// soon as it takes them again: at start and every few seconds while the journal holds rows.
/// </summary>
public sealed class AuditJournalImporter(AuditLog audit, TimeProvider time, ILogger<AuditJournalImporter> log) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        do
        {
            try
            {
                audit.ImportJournal();
            }
            catch (Exception e)
            {
                // Still no room: the rows stay in the journal, tried again next period.
                log.LogDebug(e, "The audit journal could not be imported yet");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
