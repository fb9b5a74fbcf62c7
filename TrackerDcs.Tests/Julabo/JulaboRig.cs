using System.Collections.Concurrent;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Tests.ChannelAccess;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Tests.Julabo;

public enum Link { Tcp, Pty }

/// <summary>
/// A simulator and a device talking over a real link, with short intervals so a test takes seconds:
/// TCP on 127.0.0.1, or a socat pty pair with the device on one end through System.IO.Ports and the
/// simulator on the other. Handshake.None on the pty: it has no RTS/CTS lines, and with CRTSCTS
/// set a write may wait forever for a CTS that never comes. 8N1 on the pty: a pseudo terminal cannot hold
/// 7 data bits with parity (Linux reads back CS8), and .NET then refuses to open it a second time.
/// </summary>
public sealed class JulaboRig : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    /// <param name="unit">Prepares the simulated unit before the device first connects (a fault it has from the start).</param>
    public JulaboRig(Link link, Action<JulaboSettings>? configure = null, Action<JulaboSimulator>? unit = null)
    {
        Simulator = new JulaboSimulator(new JulaboSimulatorOptions
        {
            TimeConstant = TimeSpan.FromSeconds(0.4),
            ExternalLag = TimeSpan.FromSeconds(0.15),
        });
        Simulator.CommandReceived += Received.Enqueue;
        Options = new JulaboSettings
        {
            CommandInterval = TimeSpan.FromMilliseconds(20),
            // The product's default: a shorter one failed commands in the full suite, where a thread-pool stall on the
            // two shared cores passed 300 ms (the command, then its one retry, "no reply").
            ReplyTimeout = TimeSpan.FromSeconds(1),
            PollPeriod = TimeSpan.FromMilliseconds(100),
            ReconnectDelayMin = TimeSpan.FromMilliseconds(50),
            ReconnectDelayMax = TimeSpan.FromMilliseconds(400),
            Handshake = System.IO.Ports.Handshake.None,
        };
        if (link == Link.Tcp)
        {
            Options.Port = $"127.0.0.1:{Simulator.ListenTcp()}";
        }
        else
        {
            Pty = new SocatPtyPair();
            Simulator.ServeSerial(Pty.B, new SerialSettings(4800));
            Options.Port = Pty.A;
            Options.DataBits = 8;
            Options.Parity = System.IO.Ports.Parity.None;
        }
        configure?.Invoke(Options);
        unit?.Invoke(Simulator);
        Device = new JulaboDevice(Options, logger: Log);
        Device.StatusChanged += Changes.Enqueue;
        _run = Device.RunAsync(_stop.Token);
    }

    public JulaboSimulator Simulator { get; }
    public JulaboDevice Device { get; }
    public JulaboSettings Options { get; }
    public SocatPtyPair? Pty { get; }
    public ListLogger<JulaboDevice> Log { get; } = new();
    public ConcurrentQueue<string> Received { get; } = new();
    public ConcurrentQueue<JulaboStatus> Changes { get; } = new();

    public Task WaitFor(Func<JulaboStatus, bool> condition, string what, double seconds = 10) =>
        Eventually.True(() => condition(Device.Status), $"{what} (last status {Device.Status}, error {Device.LastError})", seconds);

    public Task WaitForState(JulaboState state, double seconds = 10) => WaitFor(s => s.FsmState == state, $"state {state}", seconds);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        await Device.DisposeAsync();
        await Simulator.DisposeAsync();
        Pty?.Dispose();
    }
}
