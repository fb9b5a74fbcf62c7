using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace TrackerDcs.Bench;

/// <summary>
/// The live managed heap of a running .NET process, measured from outside: an EventPipe session with the runtime's
/// GC-heap-collect keyword makes it run a full blocking collection (as dotnet-gcdump does), and the GC's own statistics
/// after that collection give the heap's size. Resident memory cannot show what a read model of a few kB a stand adds:
/// it moves by tens of MiB with the heap's free space; what survives a full collection is what the process keeps.
/// </summary>
public static class ManagedHeap
{
    public static async Task<long> AfterFullCollectionAsync(int pid, CancellationToken ct)
    {
        var client = new DiagnosticsClient(pid);
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational,
            (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect));
        using var session = await client.StartEventPipeSessionAsync([provider], requestRundown: false, token: ct);
        var size = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var source = new EventPipeEventSource(session.EventStream);
        // The statistics that follow a full (gen 2) collection: the session's own, or one the process ran meanwhile.
        var full = false;
        source.Clr.GCStart += e => full = e.Depth == 2;
        source.Clr.GCHeapStats += e =>
        {
            if (full) size.TrySetResult(e.TotalHeapSize);
        };
        var processing = Task.Run(() => source.Process(), ct);
        try
        {
            return await size.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await processing;
        }
    }
}
