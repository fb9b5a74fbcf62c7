using System.Threading.Channels;

namespace TrackerDcs.Web.Security;

/// <summary>
/// Password checks (PBKDF2, ~0.1 s of a core each by design) run on a few dedicated threads, half the cores, fed
/// through a bounded queue: a burst of logins then never takes the thread pool that serves the broker, the panel
/// and the drivers, and what waits is a short queue, not an unbounded pile of work. When the queue is full the
/// check is refused at once (the login fails as "busy", not counted as a wrong password).
/// </summary>
public sealed class PasswordHashPool : IDisposable
{
    public const int QueueLength = 64;

    private sealed record Job(string Password, string Stored, TaskCompletionSource<bool> Result, CancellationToken Cancel);

    private readonly Channel<Job> _queue = Channel.CreateBounded<Job>(new BoundedChannelOptions(QueueLength)
    {
        FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; nothing waits
        SingleReader = false,
    });

    public PasswordHashPool() : this(Math.Max(1, Environment.ProcessorCount / 2)) { }

    public PasswordHashPool(int workers)
    {
        for (var i = 0; i < workers; i++)
            new Thread(Work) { IsBackground = true, Name = $"password-hash-{i}" }.Start();
    }

    /// <summary>True when the password matches the stored hash; null when the queue is full.</summary>
    public Task<bool>? TryVerify(string password, string stored, CancellationToken ct)
    {
        var job = new Job(password, stored, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously), ct);
        return _queue.Writer.TryWrite(job) ? job.Result.Task : null;
    }

    private void Work()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var job))
            {
                // A client that hung up while queued is not worth a hash.
                if (job.Cancel.IsCancellationRequested) job.Result.TrySetCanceled(job.Cancel);
                else job.Result.TrySetResult(PasswordHasher.Verify(job.Password, job.Stored));
            }
        }
    }

    public void Dispose() => _queue.Writer.TryComplete();
}
