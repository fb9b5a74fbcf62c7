using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Procedures;

/// <summary>The procedure run going now: its plan, its record, and the pause and abort the commands ask for.</summary>
public sealed class ActiveProcedure(ProcedureRunDocument document, Procedure procedure, IReadOnlyList<PlannedStep> plan,
    IReadOnlyList<PlannedStep> onAbort, Role role, long startTimestamp)
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _end = new();
    private TaskCompletionSource _resumed = Resumed();
    private string? _failure;

    public ProcedureRunDocument Document { get; } = document;
    public Procedure Procedure { get; } = procedure;
    public IReadOnlyList<PlannedStep> Plan { get; } = plan;
    public IReadOnlyList<PlannedStep> OnAbort { get; } = onAbort;
    /// <summary>The role of the operator who started it: the steps' commands are authorized as theirs.</summary>
    public Role Role { get; } = role;
    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>The audit's user of every command a step sends: the procedure, on behalf of the operator.</summary>
    public string User => $"procedure:{Procedure.Name} for {Document.Operator}";
    public string ClientId => $"procedure:{Procedure.Name}#{Document.Run}";

    /// <summary>Cancelled when the run must end (abort, fatal alarm, shutdown): every wait of a step watches it.</summary>
    public CancellationToken Ending => _end.Token;

    /// <summary>Why the store refused the run's record at the last write, or null: it took it.</summary>
    public volatile string? RecordFailure;

    public volatile int Current;
    public long CurrentStepStart;

    /// <summary>Why the run ends early; the first reason wins.</summary>
    public string? Failure { get { lock (_gate) return _failure; } }

    public bool Paused { get { lock (_gate) return !_resumed.Task.IsCompleted; } }

    public void Fail(string reason)
    {
        lock (_gate)
        {
            if (_failure is not null) return;
            _failure = reason;
            _resumed.TrySetResult();
        }
        _end.Cancel();
    }

    public bool Pause()
    {
        lock (_gate)
        {
            if (!_resumed.Task.IsCompleted || _failure is not null) return false;
            _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return true;
        }
    }

    public bool Resume()
    {
        lock (_gate) return _resumed.TrySetResult();
    }

    /// <summary>Returns at once when running; while paused, when resumed or ended.</summary>
    public Task WhilePausedAsync()
    {
        lock (_gate) return _resumed.Task;
    }

    private static TaskCompletionSource Resumed()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }
}
