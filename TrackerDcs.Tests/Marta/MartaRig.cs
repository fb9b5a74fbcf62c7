using TrackerDcs.Hardware.Marta;
using TrackerDcs.Tests.Julabo;

namespace TrackerDcs.Tests.Marta;

/// <summary>
/// A MartaDevice running against a plant over Modbus TCP on 127.0.0.1, with short intervals so that a test takes
/// seconds: by default its own simulator (fast time constants), or any plant given by host and port.
/// </summary>
public sealed class MartaRig : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    /// <summary>
    /// Fast polls, but an answer may take 2 s: the simulated plant answers at once, yet on two cores shared with the
    /// whole suite a 500 ms time-out was missed now and then, and a command that had to succeed failed.
    /// </summary>
    public static MartaSettings FastSettings => new()
    {
        PollPeriod = TimeSpan.FromMilliseconds(100),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        ResponseTimeout = TimeSpan.FromSeconds(2),
        ReconnectDelayMin = TimeSpan.FromMilliseconds(50),
        ReconnectDelayMax = TimeSpan.FromMilliseconds(400),
        AlarmResetPulse = TimeSpan.FromMilliseconds(50),
    };

    public static MartaSimulatorOptions FastPlant => new()
    {
        ChillerTimeConstant = TimeSpan.FromSeconds(0.3),
        Co2TimeConstant = TimeSpan.FromSeconds(0.5),
        PumpTimeConstant = TimeSpan.FromSeconds(0.1),
    };

    /// <summary>The device against its own simulator.</summary>
    public MartaRig(Func<MartaSettings, MartaSettings>? settings = null, MartaSimulatorOptions? plant = null)
        : this(MartaDevice.CreateSimulated(MartaRegisterMapTests.SeedMap(), (settings ?? (s => s))(FastSettings), plant ?? FastPlant))
    {
    }

    /// <summary>The device against a plant at 127.0.0.1:<paramref name="port"/>.</summary>
    public MartaRig(int port, Func<MartaSettings, MartaSettings>? settings = null)
        : this(new MartaDevice(MartaRegisterMapTests.SeedMap(), (settings ?? (s => s))(FastSettings with { Port = port })))
    {
    }

    private MartaRig(MartaDevice device)
    {
        Device = device;
        _run = Device.RunAsync(_stop.Token);
    }

    public MartaDevice Device { get; }

    public MartaSimulator Simulator => Device.Simulator ?? throw new InvalidOperationException("this rig has no simulator");

    public Task WaitFor(Func<MartaSnapshot, bool> condition, string what, double seconds = 10) =>
        Eventually.True(() => condition(Device.Snapshot), $"{what} (MARTA is {Device.State}, problem: {Device.Snapshot.Problem})", seconds);

    public Task WaitForState(MartaState state, double seconds = 10) =>
        WaitFor(s => s.State == state && (s.Live || state is MartaState.Disconnected or MartaState.Init), $"state {state}", seconds);

    public double Value(string register) => Device.Snapshot.Values[register].Number;

    /// <summary>Runs a command that must be carried out.</summary>
    public async Task Do(MartaCommand command, double? value = null)
    {
        var result = await Device.ExecuteAsync(command, value);
        Assert.True(result.Ok, $"{command} {value}: {result}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        await Device.DisposeAsync();
    }
}
