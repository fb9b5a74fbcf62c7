using System.Collections.Concurrent;
using System.IO.Ports;
using TrackerDcs.Hardware.Julabo;

namespace TrackerDcs.Tests.Julabo;

/// <summary>The device against an independent unit (<see cref="JulaboUnit"/>) on a socat pty, not against our simulator.</summary>
public sealed class JulaboUnitTests
{
    // The unit ignores commands that come sooner than this after the previous one; the driver keeps a little more.
    private static readonly TimeSpan UnitSpacing = TimeSpan.FromMilliseconds(100);

    private static JulaboSettings Settings(JulaboUnit unit, Action<JulaboSettings>? configure = null)
    {
        var settings = new JulaboSettings
        {
            Port = unit.Port,
            // A pseudo terminal has no RTS/CTS lines and cannot hold 7 data bits with parity (see JulaboRig).
            Handshake = Handshake.None,
            DataBits = 8,
            Parity = Parity.None,
            CommandInterval = TimeSpan.FromMilliseconds(150),
            ReplyTimeout = TimeSpan.FromMilliseconds(500),
            PollPeriod = TimeSpan.FromMilliseconds(300),
            ReconnectDelayMin = TimeSpan.FromMilliseconds(200),
            ReconnectDelayMax = TimeSpan.FromMilliseconds(500),
        };
        configure?.Invoke(settings);
        return settings;
    }

    [Fact]
    public async Task A_unit_without_an_external_sensor_reads_as_no_external_temperature_not_as_a_lost_link()
    {
        await using var unit = new JulaboUnit(UnitSpacing, externalSensor: false);
        await unit.ReadyAsync();
        var log = new ListLogger<JulaboDevice>();
        await using var device = new JulaboDevice(Settings(unit), logger: log);
        var changes = new ConcurrentQueue<JulaboStatus>();
        device.StatusChanged += changes.Enqueue;
        using var stop = new CancellationTokenSource();
        var run = device.RunAsync(stop.Token);
        try
        {
            // The unit answers IN_PV_02 with "---.--": the seed read that as "no external temperature".
            await Eventually.True(() => device.State == JulaboState.Off, $"OFF (state {device.State}, last error {device.LastError})");
            Assert.Null(device.Status.ExternalTemp);
            Assert.Equal(21.35, device.Status.InternalTemp);
            Assert.Equal(20, device.Status.Setpoint1);
            Assert.Equal(0, device.Status.Power);

            // A few more polls: the link stays up and the warning limits are written once, not at every reconnect.
            var polls = unit.Taken.Count(c => c == "STATUS");
            await Eventually.True(() => unit.Taken.Count(c => c == "STATUS") >= polls + 3, "three more polls");
            Assert.DoesNotContain(changes, s => s.FsmState == JulaboState.Disconnected);
            Assert.Single(unit.Taken, c => c.StartsWith("OUT_SP_03 ", StringComparison.Ordinal));
            Assert.Null(device.LastError);

            // A Pt100 plugged in later is read at the next poll.
            await unit.SetSensorAsync(present: true);
            await Eventually.True(() => device.Status.ExternalTemp == 21.8, $"external 21.8 °C (status {device.Status})");
            Assert.Empty(unit.Dropped);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }
    [Fact]
    public async Task An_expected_external_sensor_without_a_reading_is_a_problem_quoting_the_unit_until_it_reads()
    {
        await using var unit = new JulaboUnit(UnitSpacing, externalSensor: false);
        await unit.ReadyAsync();
        await using var device = new JulaboDevice(Settings(unit, s => s.ExternalSensor = JulaboExternalSensor.Expected));
        using var stop = new CancellationTokenSource();
        var run = device.RunAsync(stop.Token);
        try
        {
            await Eventually.True(() => device.State == JulaboState.Off && device.SensorProblem is not null, $"OFF with a sensor problem (state {device.State})");
            Assert.Equal("the external Pt100 gives no reading (IN_PV_02 answers \"---.--\"), but Julabo:ExternalSensor says the stand has one",
                device.SensorProblem);
            Assert.Null(device.Status.ExternalTemp);

            await unit.SetSensorAsync(present: true);
            await Eventually.True(() => device.SensorProblem is null && device.Status.ExternalTemp == 21.8, "the sensor reading again");
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    [Fact]
    public async Task An_absent_external_sensor_is_not_asked_for()
    {
        await using var unit = new JulaboUnit(UnitSpacing, externalSensor: true);
        await unit.ReadyAsync();
        await using var device = new JulaboDevice(Settings(unit, s => s.ExternalSensor = JulaboExternalSensor.Absent));
        using var stop = new CancellationTokenSource();
        var run = device.RunAsync(stop.Token);
        try
        {
            await Eventually.True(() => device.State == JulaboState.Off, $"OFF (state {device.State})");
            await Eventually.True(() => unit.Taken.Count(c => c == "STATUS") >= 3, "three polls");
            Assert.DoesNotContain("IN_PV_02", unit.Taken);
            Assert.Null(device.Status.ExternalTemp);
            Assert.Null(device.SensorProblem);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }
}
