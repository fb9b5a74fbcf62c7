namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// Lines InfluxDB refused as malformed (HTTP 400), with the server's reason, one per line:
/// <c>time TAB reason TAB line</c>. Kept for a human instead of blocking the lines behind them.
/// </summary>
public sealed class DeadLetters(string path, TimeProvider time)
{
    private readonly Lock _gate = new();

    public string Path { get; } = path;
    public int Count { get; private set; }

    public void Add(string line, string reason)
    {
        var flat = reason.ReplaceLineEndings(" ").Replace('\t', ' ');
        lock (_gate)
        {
            File.AppendAllText(Path, $"{time.GetUtcNow():O}\t{flat}\t{line}\n");
            Count++;
        }
    }
}
