namespace TrackerDcs.Web.Procedures;

/// <summary>
/// The run's record: written as the run starts, as each step starts and ends, and as the run ends. A store that
/// refuses a write (a full disk, MongoDB away) stops neither the steps nor on_abort: bringing the stand to a safe
/// state never waits for a disk. The document stays whole in memory and each write carries all of it, so the first
/// write the store takes again loses nothing; an end it refused is tried again until it takes it.
/// </summary>
public sealed partial class ProcedureRunner
{
    private static readonly TimeSpan RecordRetry = TimeSpan.FromSeconds(2);

    private async Task RecordAsync(ActiveProcedure active)
    {
        var document = active.Document;
        try
        {
            store.Save(document);
        }
        // Whatever the store throws (SQLite, I/O, the MongoDB driver): a record that cannot be written is a fact to
        // report, never a reason to stop a step.
        catch (Exception e)
        {
            if (active.RecordFailure is not null) return;
            active.RecordFailure = e.Message;
            log.LogError("Procedure run {Run}: its record cannot be written ({Error}); the steps go on, and the whole record is written once the store takes it",
                document.Run, e.Message);
            await LogAsync(active, $"the run's record cannot be written ({e.Message}); the steps go on");
            return;
        }
        if (active.RecordFailure is null) return;
        active.RecordFailure = null;
        log.LogInformation("Procedure run {Run}: its record is written again", document.Run);
    }

    /// <summary>The run's end: written now, or again every <see cref="RecordRetry"/> until the store takes it.</summary>
    private async Task RecordEndAsync(ActiveProcedure active)
    {
        await RecordAsync(active);
        if (active.RecordFailure is null) return;
        _ = Task.Run(async () =>
        {
            while (active.RecordFailure is not null)
            {
                await Task.Delay(RecordRetry, time);
                await RecordAsync(active);
            }
        });
    }
}
