using System.Collections.Concurrent;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Tests.Julabo;

namespace TrackerDcs.Tests.SwitchBox;

/// <summary>
/// A simulated box and a device talking over a real link, with short periods so a test takes seconds: TCP on
/// 127.0.0.1, or a socat pty pair with the device on one end through System.IO.Ports at 115200 8N1 and the
/// simulator on the other.
/// </summary>
public sealed class SwitchBoxRig : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    /// <param name="box">Prepares the simulated box before the device first connects.</param>
    public SwitchBoxRig(Link link, Func<SwitchBoxSettings, SwitchBoxSettings>? configure = null, Action<SwitchBoxSimulator>? box = null)
    {
        Simulator = new SwitchBoxSimulator();
        Simulator.LineReceived += Received.Enqueue;
        string port;
        if (link == Link.Tcp)
        {
            port = $"127.0.0.1:{Simulator.ListenTcp()}";
        }
        else
        {
            Pty = new SocatPtyPair();
            Simulator.ServeSerial(Pty.B);
            port = Pty.A;
        }
        Settings = new SwitchBoxSettings(port)
        {
            PollPeriod = TimeSpan.FromMilliseconds(100),
            // Only a failure waits this long; shorter, a loaded machine could miss an answer and add a STATUS? the test did not expect.
            ReplyTimeout = TimeSpan.FromSeconds(2),
            ReconnectDelayMin = TimeSpan.FromMilliseconds(50),
            ReconnectDelayMax = TimeSpan.FromMilliseconds(400),
        };
        Settings = configure?.Invoke(Settings) ?? Settings;
        box?.Invoke(Simulator);
        Device = new SwitchBoxDevice(Settings);
        Device.SnapshotChanged += Changes.Enqueue;
        _run = Device.RunAsync(_stop.Token);
    }

    public SwitchBoxSimulator Simulator { get; }
    public SwitchBoxDevice Device { get; }
    public SwitchBoxSettings Settings { get; }
    public SocatPtyPair? Pty { get; }

    /// <summary>Every line the box received, as received.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>Every snapshot the device raised, in order.</summary>
    public ConcurrentQueue<SwitchBoxSnapshot> Changes { get; } = new();

    /// <summary>Asserts that a command was carried out.</summary>
    public static async Task Done(Task<CommandResult> command) => Assert.Equal(CommandResult.Done, await command);

    /// <summary>The states the device went through, each once per visit.</summary>
    public IReadOnlyList<SwitchBoxState> States()
    {
        var states = new List<SwitchBoxState>();
        foreach (var change in Changes)
            if (states.Count == 0 || states[^1] != change.State) states.Add(change.State);
        return states;
    }

    public Task WaitFor(Func<SwitchBoxSnapshot, bool> condition, string what, double seconds = 10) =>
        Eventually.True(() => condition(Device.Snapshot), $"{what} (last {Device.Snapshot})", seconds);

    public Task WaitForState(SwitchBoxState state, double seconds = 10) => WaitFor(s => s.State == state, $"state {state.Wire()}", seconds);

    /// <summary>Pulls the cable: TCP clients dropped, or the pty pair killed.</summary>
    public void Unplug()
    {
        if (Pty is null) Simulator.Unplug();
        else Pty.Kill();
    }

    public void Plug()
    {
        if (Pty is null) Simulator.Plug();
        else Pty.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        await Device.DisposeAsync();
        await Simulator.DisposeAsync();
        Pty?.Dispose();
    }
}
