using System.Collections.Concurrent;
using System.IO.Ports;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.TimeSeries;

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

    [Fact]
    public async Task The_state_follows_a_command_as_soon_as_the_units_reply_to_it_is_read()
    {
        await using var unit = new JulaboUnit(UnitSpacing, externalSensor: true);
        await unit.ReadyAsync();
        // A poll period long enough that no poll can be what brings the new state.
        await using var device = new JulaboDevice(Settings(unit, s => s.PollPeriod = TimeSpan.FromSeconds(30)));
        using var stop = new CancellationTokenSource();
        var run = device.RunAsync(stop.Token);
        try
        {
            await Eventually.True(() => device.State == JulaboState.Off, $"OFF (state {device.State}, last error {device.LastError})");

            // No waiting: when the command returns, the unit's STATUS after it has been read and applied.
            var start = await device.StartAsync();
            Assert.True(start.Ok, start.Error);
            Assert.Equal(JulaboState.On, device.State);
            // A stop, and a start right after it, is accepted: the unit said it stopped.
            var stopped = await device.StopAsync();
            Assert.True(stopped.Ok, stopped.Error);
            Assert.Equal(JulaboState.Off, device.State);
            var again = await device.StartAsync();
            Assert.True(again.Ok, again.Error);
            Assert.Equal(JulaboState.On, device.State);

            var set = await device.SetTemperatureAsync(2, 12.5);
            Assert.True(set.Ok, set.Error);
            Assert.Equal(12.5, device.Status.Setpoint2);
            var use = await device.UseSetpointAsync(2);
            Assert.True(use.Ok, use.Error);
            Assert.Equal(2, device.Status.UsedSetpoint);

            // One query round trip after each command, nothing in between: STATUS, then the value it changed.
            await Eventually.True(() => unit.Taken.Contains("IN_MODE_01") && unit.Taken.LastIndexOf("IN_MODE_01") > unit.Taken.IndexOf("OUT_MODE_01 1"),
                "the unit to take the read-back of the selected set point");
            var taken = unit.Taken;
            List<string> After(string command) => taken.Skip(taken.IndexOf(command) + 1).Take(2).ToList();
            Assert.Equal("STATUS", After("OUT_MODE_05 1")[0]);
            Assert.Equal("STATUS", After("OUT_MODE_05 0")[0]);
            Assert.Equal(["STATUS", "IN_SP_01"], After("OUT_SP_01 12.50"));
            Assert.Equal(["STATUS", "IN_MODE_01"], After("OUT_MODE_01 1"));
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    [Fact]
    public async Task A_unit_that_goes_silent_behind_its_open_port_raises_the_disconnected_alarm_within_its_delay()
    {
        await using var unit = new JulaboUnit(UnitSpacing, externalSensor: true);
        await unit.ReadyAsync();
        // The back-off cap below the alarm's delay: each reopen of the port must not start the count again.
        var alarms = new AlarmOptions { DiskFreePercentMin = 0, DisconnectedAfter = TimeSpan.FromSeconds(2) };
        var log = new ListLogger<JulaboDevice>();
        await using var device = new JulaboDevice(Settings(unit, s => s.ReconnectDelayMax = TimeSpan.FromSeconds(1)), logger: log);
        using var database = new TempDatabase();
        var evaluator = new AlarmEvaluator(alarms, new StandInView<CaenView>(Views.Crate(Views.LvOff)), new ViewOf(device),
            new StandInView<SensorsView>(Views.Environment(null)), database.Data, [], new TimeSeriesOptions(), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var run = device.RunAsync(stop.Token);
        try
        {
            await Eventually.True(() => device.State == JulaboState.Off, $"OFF (state {device.State}, last error {device.LastError})");
            Assert.Empty(evaluator.Evaluate());

            await unit.SetSilentAsync(true);
            // Evaluated as often as the waiting allows, so that every CONNECTED between two reopens is seen.
            await Eventually.True(() => evaluator.Evaluate().Any(c => c.Key == "device.disconnected:julabo") && unit.Muted.Count(c => c == "VERSION") >= 3,
                $"the disconnected alarm while the port is reopened (state {device.State}, VERSION sent {unit.Muted.Count(c => c == "VERSION")} times to the silent unit; the unit said {unit.Transcript()}; log {string.Join('\n', log.Entries.Select(e => e.Text))})", seconds: 30);

            // Back on: the alarm goes at the first good reply.
            await unit.SetSilentAsync(false);
            await Eventually.True(() => device.State == JulaboState.Off, $"OFF again (state {device.State})");
            Assert.DoesNotContain(evaluator.Evaluate(), c => c.Key == "device.disconnected:julabo");
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    /// <summary>The chiller's view as the service builds it, straight from the driver.</summary>
    private sealed class ViewOf(JulaboDevice device) : IDeviceView<JulaboView>
    {
        public JulaboView View => JulaboView.From(device.Snapshot());
        public event Action? Changed { add { } remove { } }
    }
}
