namespace TrackerDcs.Web.Runs;

/// <summary>
/// Where run documents live: MongoDB when configured, else the embedded SQLite database. Both pass the same
/// contract tests (TrackerDcs.Tests/Runs/RunStoreContract.cs).
/// </summary>
public interface IRunStore
{
    /// <summary>"sqlite" or "mongodb", for /readyz and the logs.</summary>
    string Kind { get; }

    /// <summary>The next run number: larger than every number handed out before, also across restarts; never reused.</summary>
    Task<long> NextRunNumberAsync(CancellationToken ct = default);

    /// <summary>Inserts the document or replaces the one with the same run number.</summary>
    Task SaveAsync(RunDocument document, CancellationToken ct = default);

    Task<RunDocument?> GetAsync(long run, CancellationToken ct = default);

    /// <summary>The latest runs, newest first.</summary>
    Task<IReadOnlyList<RunDocument>> ListAsync(int limit, CancellationToken ct = default);

    /// <summary>Stores a large result file; the returned id goes into <see cref="ResultFile.BlobId"/>.</summary>
    Task<string> PutBlobAsync(long run, string name, Stream content, CancellationToken ct = default);

    /// <summary>The content of a blob, or null when no blob has this id.</summary>
    Task<byte[]?> GetBlobAsync(string id, CancellationToken ct = default);
}
