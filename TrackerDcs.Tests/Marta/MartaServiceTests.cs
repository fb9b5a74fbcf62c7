using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Marta;
using TrackerDcs.Tests.Modbus;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices.Marta;
using TrackerDcs.Web.Security;
using CommandTable = TrackerDcs.Hardware.Marta.MartaCommands;

namespace TrackerDcs.Tests.Marta;

/// <summary>
/// MARTA hosted in process: the service on its simulated plant or on Debian's pymodbus, its MARTA/status and
/// MARTA/alarms publishes, and its commands on a real command bus (refusals that say why and write nothing).
/// </summary>
public sealed class MartaServiceTests
{
    private static MartaOptions Fast(int? port = null) => new()
    {
        Host = port is null ? null : "127.0.0.1",
        Port = port ?? 502,
        PollPeriod = TimeSpan.FromMilliseconds(100),
        ResponseTimeout = TimeSpan.FromSeconds(2), // as MartaRig: 500 ms was missed on loaded cores
        ReconnectDelayMin = TimeSpan.FromMilliseconds(50),
        ReconnectDelayMax = TimeSpan.FromMilliseconds(300),
        AlarmResetPulse = TimeSpan.FromMilliseconds(50),
        SimulatedTimeConstant = TimeSpan.FromSeconds(0.5),
    };

    private sealed class Hosted : IAsyncDisposable
    {
        public Hosted(MartaOptions options, RecordingMartaPublisher? publisher = null)
        {
            Publisher = publisher ?? new RecordingMartaPublisher();
            Link = new MartaLink(options, MartaRegisterMapTests.SeedMap(), TimeProvider.System, NullLoggerFactory.Instance);
            Service = new MartaService(Link, Publisher, TimeProvider.System, NullLoggerFactory.Instance);
            Bus = new CommandBus(new NoAudit(), Publisher, TimeProvider.System, NullLogger<CommandBus>.Instance);
            Web.Devices.Marta.MartaCommands.Register(Bus, Service);
        }

        public RecordingMartaPublisher Publisher { get; }
        public MartaLink Link { get; }
        public MartaService Service { get; }
        public CommandBus Bus { get; }
        public MartaSimulator Simulator => Link.Simulator!;

        public Task StartAsync() => Service.StartAsync(CancellationToken.None);

        public Task<CommandResult> Send(string command, string payload = "") =>
            Bus.ExecuteAsync(new CommandRequest($"MARTA/cmd/{command}", payload, "olivia", Role.Operator, CommandOrigin.Panel, "test"));

        public Task WaitForState(string state) =>
            Eventually.True(() => Service.View.State == state && Service.View.Live, $"MARTA {state} (is {Service.View.State}: {Service.View.Problem})");

        public async ValueTask DisposeAsync() => await Service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_first_status_carries_every_register_and_the_state_then_only_what_moved()
    {
        await using var marta = new Hosted(Fast());
        await marta.StartAsync();
        var first = await marta.Publisher.WaitAsync(MartaTopics.Status, p => p.Contains("fsm_state") && p.Contains("TT05_CO2"), "a full MARTA/status");
        using var full = JsonDocument.Parse(first);
        var map = MartaRegisterMapTests.SeedMap();
        Assert.Equal(map.Registers.Select(r => r.Name).Append("fsm_state").Order(StringComparer.Ordinal),
            full.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("CONNECTED", full.RootElement.GetProperty("fsm_state").GetString());
        // The float as the PLC holds it (15 °C, the simulated plant's initial set point), the status an integer.
        Assert.Equal("15", full.RootElement.GetProperty("set_temperature_setpoint").GetRawText());
        Assert.Equal("1", full.RootElement.GetProperty("status").GetRawText());

        var published = marta.Publisher.Count(MartaTopics.Status);
        Assert.True((await marta.Send("set_temperature_setpoint", "-20")).Ok);
        var change = await marta.Publisher.WaitAsync(MartaTopics.Status, p => p.Contains("\"set_temperature_setpoint\":-20"), "the new set point", skip: published);
        using var delta = JsonDocument.Parse(change);
        Assert.DoesNotContain("fsm_state", change); // the state did not change
        Assert.True(delta.RootElement.EnumerateObject().Count() < map.Registers.Count, change);
    }

    [Fact]
    public async Task Alarm_bits_are_published_as_the_seeds_lines_on_MARTA_alarms()
    {
        await using var marta = new Hosted(Fast());
        await marta.StartAsync();
        await marta.Publisher.WaitAsync(MartaTopics.Alarms, p => p == "", "MARTA/alarms empty while no bit is set");
        marta.Simulator.InjectAlarm("CP_HP_W");
        marta.Simulator.InjectAlarm("EB_FS");
        var lines = await marta.Publisher.WaitAsync(MartaTopics.Alarms, p => p.Contains("EB_FS"), "the two alarm lines");
        Assert.Equal(["Error: Emergency button pressed (EB_FS)", "Warning: chiller compressor discharge pressure high (CP_HP_W)"],
            lines.Split('\n').Order(StringComparer.Ordinal));
        await marta.WaitForState("ALARM"); // a fail-safe bit: status 3
        Assert.Contains(marta.Service.View.Alarms, a => a is { Register: "EB_FS", Major: true });
        Assert.Contains(marta.Service.View.Alarms, a => a is { Register: "CP_HP_W", Major: false });
    }

    [Fact]
    public async Task A_refused_command_says_why_and_writes_nothing()
    {
        await using var marta = new Hosted(Fast());
        await marta.StartAsync();
        await marta.WaitForState("CONNECTED");
        var writes = marta.Simulator.WriteCount;

        Assert.Equal("start_co2 needs CHILLER_RUNNING (MARTA is CONNECTED)", (await marta.Send("start_co2")).Error);
        Assert.Equal("set_speed_setpoint: 'abc' is not a number (0 … 6000 rpm)", (await marta.Send("set_speed_setpoint", "abc")).Error);
        Assert.Equal("set_temperature_setpoint: NaN is not a finite number (-35 … 25 °C)", (await marta.Send("set_temperature_setpoint", "NaN")).Error);
        Assert.Equal("set_temperature_setpoint: 30 °C is above the maximum 25 °C", (await marta.Send("set_temperature_setpoint", "30")).Error);
        Assert.Equal("set_flow_setpoint: -1 is below the minimum 0", (await marta.Send("set_flow_setpoint", "-1")).Error);
        Assert.Equal("set_flow_active: 2 is not 0 or 1", (await marta.Send("set_flow_active", "2")).Error);
        Assert.Equal("set_speed_setpoint needs a value: 0 … 6000 rpm", (await marta.Send("set_speed_setpoint")).Error);
        Assert.Equal("start_chiller takes no value, got '1'", (await marta.Send("start_chiller", "1")).Error);
        Assert.StartsWith("unknown command topic", (await marta.Send("start_everything")).Error);
        Assert.Equal(writes, marta.Simulator.WriteCount);
        Assert.Equal(15, marta.Simulator.Read("set_temperature_setpoint").Number);
        Assert.Equal("CONNECTED", marta.Service.View.State);
    }

    [Fact]
    public async Task The_panel_buttons_follow_the_state_machine_through_chiller_and_CO2()
    {
        await using var marta = new Hosted(Fast());
        await marta.StartAsync();
        await marta.WaitForState("CONNECTED");
        Assert.Null(marta.Service.View.Refusal("start_chiller"));
        Assert.Equal("start_co2 needs CHILLER_RUNNING (MARTA is CONNECTED)", marta.Service.View.Refusal("start_co2"));
        Assert.True((await marta.Send("start_chiller")).Ok);
        await marta.WaitForState("CHILLER_RUNNING");
        Assert.Null(marta.Service.View.Refusal("start_co2"));
        Assert.True((await marta.Send("start_co2")).Ok);
        await marta.WaitForState("CO2_RUNNING");
        Assert.Equal("start_chiller needs CONNECTED (MARTA is CO2_RUNNING)", marta.Service.View.Refusal("start_chiller"));
        Assert.Null(marta.Service.View.Refusal("stop_co2"));
        Assert.True(marta.Service.Readiness().Ready);
    }

    [Fact]
    public async Task A_status_that_cannot_be_published_is_sent_with_the_next_and_the_loop_goes_on()
    {
        var publisher = new RecordingMartaPublisher(failures: 3);
        await using var marta = new Hosted(Fast(), publisher);
        await marta.StartAsync();
        // The first publishes (the full status among them) failed; what they held still goes out, with the state.
        var status = await publisher.WaitAsync(MartaTopics.Status, p => p.Contains("fsm_state"), "the full status after the failures");
        Assert.Contains("\"TT05_CO2\":", status);
        Assert.Equal(3, publisher.Failures);
        Assert.False(marta.Service.ExecuteTask!.IsCompleted);
    }

    [Fact]
    public async Task Against_pymodbus_the_whole_map_is_published_and_a_stopped_server_is_DISCONNECTED_then_back_with_no_command()
    {
        await using var plant = await PymodbusPlant.StartAsync();
        await plant.SetAsync(134, MartaRegister.EncodeFloat32(-31.25f)); // TT05_CO2
        await plant.SetAsync(320, 1);
        await using var marta = new Hosted(Fast(plant.Port));
        Assert.Null(marta.Link.Simulator);
        await marta.StartAsync();
        var first = await marta.Publisher.WaitAsync(MartaTopics.Status, p => p.Contains("fsm_state") && p.Contains("TT05_CO2"), "a full MARTA/status from pymodbus");
        using (var full = JsonDocument.Parse(first))
        {
            Assert.Equal(MartaRegisterMapTests.SeedMap().Registers.Count + 1, full.RootElement.EnumerateObject().Count());
            Assert.Equal("-31.25", full.RootElement.GetProperty("TT05_CO2").GetRawText());
        }
        Assert.True(marta.Service.Readiness().Ready);

        await plant.StopAsync();
        await marta.Publisher.WaitAsync(MartaTopics.Status, p => p == """{"fsm_state":"DISCONNECTED"}""", "DISCONNECTED alone, no stale values");
        Assert.False(marta.Service.Readiness().Ready);
        await plant.StartAgainAsync();
        await marta.WaitForState("CONNECTED");
    }

    private sealed class NoAudit : ICommandAudit
    {
        public long Begin(CommandRequest request) => 0;
        public void Complete(long id, CommandRequest request, CommandResult result) { }
        public void Record(CommandRequest request, CommandResult result) { }
        public void Journal(CommandRequest request, CommandResult result, DateTimeOffset time) { }
    }
}

/// <summary>A broker stand-in that keeps what was published (and can fail its first publishes, as an overloaded one would).</summary>
public sealed class RecordingMartaPublisher(int failures = 0) : IMqttPublisher
{
    private readonly ConcurrentQueue<(string Topic, string Payload)> _published = new();
    private int _statusAttempts;

    /// <summary>How many MARTA/status publishes failed.</summary>
    public int Failures => Math.Min(Volatile.Read(ref _statusAttempts), failures);

    public int Count(string topic) => _published.Count(p => p.Topic == topic);

    public Task PublishAsync(string topic, string payload, bool retain = false, byte[]? correlationData = null, CancellationToken cancellationToken = default)
    {
        if (topic == MartaTopics.Status && Interlocked.Increment(ref _statusAttempts) <= failures)
            throw new InvalidOperationException("the broker is not accepting messages");
        _published.Enqueue((topic, payload));
        return Task.CompletedTask;
    }

    /// <summary>The first payload on the topic (after the first <paramref name="skip"/> of them) that satisfies the condition.</summary>
    public async Task<string> WaitAsync(string topic, Func<string, bool> condition, string what, int skip = 0)
    {
        string? found = null;
        await Eventually.True(() => (found = _published.Where(p => p.Topic == topic).Skip(skip).Select(p => p.Payload).FirstOrDefault(condition)) is not null,
            $"{what} on {topic}");
        return found!;
    }
}
