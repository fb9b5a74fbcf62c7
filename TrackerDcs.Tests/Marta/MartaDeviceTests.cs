using TrackerDcs.Hardware.Marta;
using TrackerDcs.Tests.Julabo;

namespace TrackerDcs.Tests.Marta;

/// <summary>The device against the simulated MARTA over Modbus TCP: the seed's cycle, refusals that write nothing, alarms, a lost link.</summary>
public class MartaDeviceTests
{
    [Fact]
    public async Task Runs_the_seeds_cycle_chiller_then_CO2_and_back()
    {
        await using var rig = new MartaRig();
        await rig.WaitForState(MartaState.Connected);
        Assert.Equal(112, rig.Device.Snapshot.Values.Count);

        await rig.Do(MartaCommand.SetTemperatureSetpoint, -20.5);
        await rig.Do(MartaCommand.StartChiller);
        await rig.WaitForState(MartaState.ChillerRunning);
        await rig.Do(MartaCommand.StartCo2);
        await rig.WaitForState(MartaState.Co2Running);
        Assert.Equal(2, rig.Value("status"));
        await rig.WaitFor(s => Math.Abs(s.Values["TT05_CO2"].Number + 20.5) < 0.3 && s.Values["LP_speed"].Number > 2900, "the loop at −20.5 °C, the pump at speed");
        Assert.Equal(-20.5, rig.Value("temperature_setpoint"));

        await rig.Do(MartaCommand.StopCo2);
        await rig.WaitForState(MartaState.ChillerRunning);
        await rig.Do(MartaCommand.StopChiller);
        await rig.WaitForState(MartaState.Connected);
        Assert.False(rig.Simulator.Read("set_start_chiller").IsTrue);
    }

    [Fact]
    public async Task Set_points_and_the_flow_switch_reach_the_plant()
    {
        await using var rig = new MartaRig();
        await rig.WaitForState(MartaState.Connected);
        await rig.Do(MartaCommand.SetSpeedSetpoint, 4200);
        await rig.Do(MartaCommand.SetFlowSetpoint, 3.25);
        await rig.Do(MartaCommand.SetFlowActive, 1);
        Assert.Equal(4200, rig.Simulator.Read("set_speed_setpoint").Number);
        Assert.Equal(3.25, rig.Simulator.Read("set_flow_setpoint").Number);
        Assert.True(rig.Simulator.Read("set_flow_active").IsTrue);
        Assert.False(rig.Simulator.Read("set_start_chiller").IsTrue); // only its bit changed
        await rig.WaitFor(s => s.Values["flow_setpoint"].Number == 3.25 && s.Values["set_flow_active"].IsTrue, "the snapshot showing them");

        await rig.Do(MartaCommand.SetFlowActive, 0);
        Assert.False(rig.Simulator.Read("set_flow_active").IsTrue);
    }

    [Fact]
    public async Task Refused_commands_say_why_and_write_nothing()
    {
        await using var rig = new MartaRig();
        await rig.WaitForState(MartaState.Connected);
        var writes = rig.Simulator.WriteCount;

        (MartaCommand, double?, string)[] refused =
        [
            (MartaCommand.StartCo2, null, "start_co2 needs CHILLER_RUNNING (MARTA is CONNECTED)"),
            (MartaCommand.StopChiller, null, "stop_chiller needs CHILLER_RUNNING (MARTA is CONNECTED)"),
            (MartaCommand.StopCo2, null, "stop_co2 needs CO2_RUNNING (MARTA is CONNECTED)"),
            (MartaCommand.ClearAlarms, null, "clear_alarms needs ALARM (MARTA is CONNECTED)"),
            (MartaCommand.SetTemperatureSetpoint, 26, "set_temperature_setpoint: 26 °C is above the maximum 25 °C"),
            (MartaCommand.SetTemperatureSetpoint, double.NaN, "set_temperature_setpoint: NaN is not a finite number"),
            (MartaCommand.SetSpeedSetpoint, -1, "set_speed_setpoint: -1 rpm is below the minimum 0 rpm"),
            (MartaCommand.SetFlowSetpoint, double.NegativeInfinity, "set_flow_setpoint: -Infinity is not a finite number"),
            (MartaCommand.SetFlowActive, 2, "set_flow_active: 2 is not 0 or 1"),
            (MartaCommand.StartChiller, 1, "start_chiller takes no value"),
        ];
        foreach (var (command, value, reason) in refused)
        {
            var result = await rig.Device.ExecuteAsync(command, value);
            Assert.False(result.Ok, $"{command} {value} was carried out");
            Assert.StartsWith(reason, result.Error);
        }
        Assert.Equal(writes, rig.Simulator.WriteCount);
        Assert.Equal(15, rig.Simulator.Read("set_temperature_setpoint").Number);
    }

    /// <summary>CHILLER_RUNNING, with a poll period so long that only commands read the plant (a change at the plant goes unseen until then).</summary>
    private static async Task<MartaRig> ChillerRunningWithoutPolls()
    {
        var rig = new MartaRig(s => s with { PollPeriod = TimeSpan.FromHours(1) });
        try
        {
            await rig.WaitForState(MartaState.Connected);
            await rig.Do(MartaCommand.StartChiller);
            await rig.WaitForState(MartaState.ChillerRunning);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Someone at the plant's panel stops the chiller between two polls: the device still believes CHILLER_RUNNING,
    /// but start_co2 reads register 305 afresh and refuses, so set_start_co2 is never 1 with set_start_chiller 0.
    /// </summary>
    [Fact]
    public async Task Start_co2_never_writes_CO2_on_while_the_plants_chiller_bit_is_off()
    {
        await using var rig = await ChillerRunningWithoutPolls();

        rig.Simulator.WriteAtPanel("set_start_chiller", 0);
        var writes = rig.Simulator.WriteCount;
        var result = await rig.Device.ExecuteAsync(MartaCommand.StartCo2);
        Assert.False(result.Ok);
        Assert.Equal("start_co2 refused: it would write set_start_co2 1 with set_start_chiller 0 (register 305 read just now: set_start_chiller 0, set_start_co2 0); never allowed", result.Error);
        Assert.Equal(writes, rig.Simulator.WriteCount);
        Assert.False(rig.Simulator.Read("set_start_co2").IsTrue);
        await rig.WaitForState(MartaState.Connected); // the refusal read the plant back at once
    }

    [Fact]
    public async Task Stop_chiller_is_refused_while_the_plants_CO2_bit_is_on()
    {
        await using var rig = await ChillerRunningWithoutPolls();

        rig.Simulator.WriteAtPanel("set_start_co2", 1);
        var result = await rig.Device.ExecuteAsync(MartaCommand.StopChiller);
        Assert.Contains("stop_chiller refused: it would write set_start_co2 1 with set_start_chiller 0", result.Error);
        Assert.True(rig.Simulator.Read("set_start_chiller").IsTrue);
        await rig.WaitForState(MartaState.Co2Running);
    }

    [Fact]
    public async Task A_fail_safe_bit_is_ALARM_with_its_message_and_clear_alarms_stops_both_and_resets()
    {
        await using var rig = new MartaRig();
        await rig.WaitForState(MartaState.Connected);
        await rig.Do(MartaCommand.StartChiller);
        await rig.WaitForState(MartaState.ChillerRunning);
        await rig.Do(MartaCommand.StartCo2);
        await rig.WaitForState(MartaState.Co2Running);

        rig.Simulator.InjectAlarm("PT04_CO2_HP_W");
        await rig.WaitFor(s => s.ActiveAlarms.Any(a => a.Register.Name == "PT04_CO2_HP_W"), "the warning");
        Assert.Equal(MartaState.Co2Running, rig.Device.State);

        rig.Simulator.InjectAlarm("EB_FS");
        await rig.WaitForState(MartaState.Alarm);
        var emergency = Assert.Single(rig.Device.Snapshot.ActiveAlarms, a => a.Register.Name == "EB_FS");
        Assert.Equal("Error: Emergency button pressed", emergency.Message);
        Assert.True(emergency.FailSafe);
        Assert.Null(rig.Device.Snapshot.Problem); // status 3 explains it

        var writes = rig.Simulator.WriteCount;
        await rig.Do(MartaCommand.ClearAlarms);
        Assert.Equal(writes + 3, rig.Simulator.WriteCount); // both start bits in one write, then set_alarm_reset 1 and 0
        Assert.Empty(rig.Simulator.ActiveAlarms);
        Assert.False(rig.Simulator.Read("set_alarm_reset").IsTrue);
        await rig.WaitForState(MartaState.Connected);
        Assert.Empty(rig.Device.Snapshot.ActiveAlarms);
    }

    /// <summary>
    /// A poll reads the map in several requests. One that ran while clear_alarms wrote its reset read the alarm bits
    /// before it and the status after: a snapshot said CONNECTED and still listed the emergency button (CI caught it
    /// in the test above). Polls and commands now take the link in turn.
    /// </summary>
    [Fact]
    public async Task No_snapshot_mixes_registers_read_before_and_after_a_command()
    {
        await using var rig = new MartaRig(s => s with { PollPeriod = TimeSpan.FromMilliseconds(1) });
        await rig.WaitForState(MartaState.Connected);
        var torn = new List<string>();
        var watching = false;
        rig.Device.SnapshotChanged += s =>
        {
            var listed = s.ActiveAlarms.Any(a => a.Register.Name == "EB_FS");
            if (Volatile.Read(ref watching) && listed != (s.State == MartaState.Alarm))
                lock (torn) torn.Add($"{s.State} with EB_FS {(listed ? "listed" : "not listed")}");
        };
        for (var cycle = 0; cycle < 10; cycle++)
        {
            await rig.Do(MartaCommand.StartChiller);
            await rig.WaitForState(MartaState.ChillerRunning);
            rig.Simulator.InjectAlarm("EB_FS");
            await rig.WaitFor(s => s.State == MartaState.Alarm && s.ActiveAlarms.Count > 0, "the alarm");
            Volatile.Write(ref watching, true);
            await rig.Do(MartaCommand.ClearAlarms);
            await rig.WaitForState(MartaState.Connected);
            Volatile.Write(ref watching, false);
        }
        lock (torn) Assert.Empty(torn);
    }

    [Fact]
    public async Task CO2_on_with_the_chiller_off_at_the_plant_is_ALARM_blamed_on_the_plant_and_clear_alarms_ends_it()
    {
        await using var rig = new MartaRig();
        await rig.WaitForState(MartaState.Connected);
        rig.Simulator.WriteAtPanel("set_start_co2", 1);
        await rig.WaitForState(MartaState.Alarm);
        Assert.Contains("set_start_co2 is 1 with set_start_chiller 0", rig.Device.Snapshot.Problem);

        // Writing any other bit of 305 would write that combination back: refused.
        var flow = await rig.Device.ExecuteAsync(MartaCommand.SetFlowActive, 1);
        Assert.Contains("register 305 reads set_start_co2 1 with set_start_chiller 0, which must never be written back", flow.Error);

        await rig.Do(MartaCommand.ClearAlarms);
        await rig.WaitForState(MartaState.Connected);
        Assert.Null(rig.Device.Snapshot.Problem);
    }

    [Fact]
    public async Task A_plant_that_stops_answering_is_DISCONNECTED_with_values_not_live_and_comes_back_by_itself()
    {
        await using var rig = new MartaRig();
        await rig.WaitForState(MartaState.Connected);
        await rig.Do(MartaCommand.StartChiller);
        await rig.WaitForState(MartaState.ChillerRunning);
        var generation = rig.Device.Snapshot.Generation;

        rig.Simulator.Answering = false;
        await rig.WaitForState(MartaState.Disconnected);
        var lost = rig.Device.Snapshot;
        Assert.False(lost.Live);
        Assert.Contains("no answer from 127.0.0.1", lost.Problem);
        Assert.Equal(112, lost.Values.Count); // kept for reference, not live
        var refused = await rig.Device.ExecuteAsync(MartaCommand.StopChiller);
        Assert.Equal("stop_chiller needs CHILLER_RUNNING (MARTA is DISCONNECTED)", refused.Error);

        rig.Simulator.Answering = true;
        await rig.WaitForState(MartaState.ChillerRunning);
        Assert.True(rig.Device.Snapshot.Generation > generation, "a new link publishes everything again");
        Assert.Null(rig.Device.Snapshot.Problem);
    }

    [Fact]
    public async Task Dropped_connections_reconnect_by_themselves()
    {
        await using var rig = new MartaRig();
        await rig.WaitForState(MartaState.Connected);
        var generation = rig.Device.Snapshot.Generation;
        rig.Simulator.DropConnections();
        await rig.WaitFor(s => s.Generation > generation && s.State == MartaState.Connected && s.Live, "a new link");
        await Eventually.True(() => rig.Simulator.ClientCount == 1, "one connection to the plant");
    }

    [Fact]
    public async Task Refresh_and_reconnect_start_a_new_generation()
    {
        await using var rig = new MartaRig();
        await rig.WaitForState(MartaState.Connected);
        var generation = rig.Device.Snapshot.Generation;
        await rig.Do(MartaCommand.Refresh);
        await rig.WaitFor(s => s.Generation == generation + 1 && s.Live, "the refresh read");
        await rig.Do(MartaCommand.Reconnect);
        await rig.WaitFor(s => s.Generation == generation + 2 && s.State == MartaState.Connected && s.Live, "the new link");
    }

    [Fact]
    public async Task A_throwing_snapshot_handler_does_not_stop_the_loop()
    {
        await using var rig = new MartaRig();
        var seen = 0;
        rig.Device.SnapshotChanged += _ => { Interlocked.Increment(ref seen); throw new InvalidOperationException("a broken subscriber"); };
        await Eventually.True(() => Volatile.Read(ref seen) > 3, "several snapshots after a throwing handler");
        Assert.Equal(MartaState.Connected, rig.Device.State);
    }

    [Fact]
    public async Task Stopping_the_loop_leaves_MARTA_DISCONNECTED()
    {
        var rig = new MartaRig();
        await rig.WaitForState(MartaState.Connected);
        await rig.DisposeAsync();
        Assert.Equal(MartaState.Disconnected, rig.Device.State);
        Assert.False(rig.Device.Snapshot.Live);
    }

    [Fact]
    public void Settings_and_a_map_the_device_cannot_use_are_refused_naming_what()
    {
        var map = MartaRegisterMapTests.SeedMap();
        var settings = Assert.Throws<ArgumentException>(() => new MartaDevice(map, new MartaSettings { Host = "", PollPeriod = TimeSpan.Zero }));
        Assert.Contains("Host: the PLC's address is empty", settings.Message);
        Assert.Contains("PollPeriod: 00:00:00 must be positive", settings.Message);

        var noCo2 = MartaRegisterMap.Parse(File.ReadAllText(map.File).Replace("set_start_co2:", "set_start_co2x:"), "m.yml");
        var missing = Assert.Throws<MartaMapException>(() => new MartaDevice(noCo2, new MartaSettings()));
        Assert.Equal("set_start_co2", missing.Key);
        Assert.Contains("MARTA needs a bool register set_start_co2 marked input: true", missing.Message);

        var text = File.ReadAllText(map.File);
        var notInput = MartaRegisterMap.Parse(text.Replace("""
                set_temperature_setpoint:
                    address: 310
                    type: float32
                    input: true
            """, """
                set_temperature_setpoint:
                    address: 310
                    type: float32
            """), "m.yml");
        var write = Assert.Throws<MartaMapException>(() => new MartaDevice(notInput, new MartaSettings()));
        Assert.Equal(("input", notInput["set_temperature_setpoint"].Line), (write.Key, write.Line));
        Assert.Contains("MARTA writes set_temperature_setpoint, so it must be marked input: true", write.Message);
    }
}
