namespace TrackerDcs.Web.Procedures;

/// <summary>
/// Where procedure runs' records live: MongoDB when Runs:MongoDb is set (beside the calibration runs), else the
/// embedded SQLite database. Both pass the same contract tests (TrackerDcs.Tests/Procedures/ProcedureRunStoreContract.cs).
/// Synchronous: the runner writes between steps and the panel reads on render, both off the hot paths.
/// </summary>
public interface IProcedureRunStore
{
    /// <summary>"sqlite" or "mongodb", for /readyz and the logs.</summary>
    string Kind { get; }

    /// <summary>Stores a new run and gives it its number: larger than every number before, also across restarts; never reused.</summary>
    long Insert(ProcedureRunDocument document);

    /// <summary>Replaces the run's document with this one, whole.</summary>
    void Save(ProcedureRunDocument document);

    ProcedureRunDocument? Get(long run);

    /// <summary>The latest runs, newest first.</summary>
    IReadOnlyList<ProcedureRunDocument> List(int limit);

    /// <summary>
    /// The runs that overlap [fromMs, toMs], oldest first (the newest <paramref name="limit"/> of them), without their
    /// steps and curves: a trend chart asks this at every zoom.
    /// </summary>
    IReadOnlyList<ProcedureSpan> Spans(long fromMs, long toMs, int limit);

    /// <summary>Runs a previous process left running or paused: it stopped without recording their end. Oldest first.</summary>
    IReadOnlyList<ProcedureRunDocument> Unfinished();
}
