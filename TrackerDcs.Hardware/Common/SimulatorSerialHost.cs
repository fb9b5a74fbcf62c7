using Microsoft.Extensions.Logging;

namespace TrackerDcs.Hardware.Common;

/// <summary>
/// Serves a simulated instrument on a serial device path, reopening it whenever it fails or is replaced:
/// when socat is killed and started again, the link names point at new pseudo terminals, and a read on
/// the old one may neither fail nor return. So the host also watches the link target.
/// </summary>
internal sealed class SimulatorSerialHost : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly ISimulatedInstrument _instrument;
    private readonly string _path;
    private readonly SerialSettings _settings;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="name">The instrument in log messages ("switch box simulator").</param>
    public SimulatorSerialHost(ISimulatedInstrument instrument, string path, SerialSettings settings, string name, ILogger logger)
    {
        _instrument = instrument;
        _path = path;
        _settings = settings;
        _name = name;
        _logger = logger;
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var target = Target();
            if (target is not null)
            {
                await using var port = new SerialTransport(_path, _settings);
                using var session = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                try
                {
                    await port.OpenAsync(session.Token);
                    var watcher = WatchTargetAsync(target, session);
                    try { await _instrument.ServeAsync(port.ReadAsync, port.WriteAsync, session.Token); }
                    finally { await session.CancelAsync(); await watcher; }
                }
                catch (Exception e)
                {
                    if (_stop.IsCancellationRequested) return;
                    _logger.LogDebug("{Name}: {Path} ended: {Reason}", _name, _path, e.Message);
                }
            }
            try { await Task.Delay(RetryDelay, _stop.Token); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task WatchTargetAsync(string target, CancellationTokenSource session)
    {
        try
        {
            while (Target() == target) await Task.Delay(RetryDelay, session.Token);
            await session.CancelAsync();
        }
        catch (OperationCanceledException) { }
    }

    // The device a path finally points at (a socat link names a /dev/pts/N), or null when it is gone.
    private string? Target()
    {
        try
        {
            var info = new FileInfo(_path);
            var final = info.ResolveLinkTarget(returnFinalTarget: true);
            return final is null ? (info.Exists ? info.FullName : null) : (final.Exists ? final.FullName : null);
        }
        catch (IOException) { return null; }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
