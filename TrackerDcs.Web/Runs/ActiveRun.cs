using System.Threading.Channels;

namespace TrackerDcs.Web.Runs;

/// <summary>The run going now: its document, program, and what the supervisor and the log reader share.</summary>
public sealed class ActiveRun(RunDocument document, CalibrationOptions calibration, CalibrationProcess process, LogRateLimiter limiter, long startTimestamp)
{
    private string? _stopReason;

    public RunDocument Document { get; } = document;
    public CalibrationOptions Calibration { get; } = calibration;
    public CalibrationProcess Process { get; } = process;
    public LogRateLimiter Limiter { get; } = limiter;
    public long StartTimestamp { get; } = startTimestamp;
    public Channel<(string Line, bool Stderr)> Lines { get; } = Channel.CreateUnbounded<(string, bool)>(new() { SingleReader = true });

    /// <summary>Percent from the program's last "Progress: n%" line.</summary>
    public double Progress { get; set; }

    /// <summary>Why the run is being stopped, once asked; the first reason wins (stop command, time-out, crate state).</summary>
    public string? StopReason => Volatile.Read(ref _stopReason);

    public bool RequestStop(string reason) => Interlocked.CompareExchange(ref _stopReason, reason, null) is null;
}
