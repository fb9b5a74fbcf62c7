using TrackerDcs.Hardware.Marta;
using TrackerDcs.Tests.Modbus;

namespace TrackerDcs.Tests.Marta;

/// <summary>
/// The device against Debian's pymodbus as the plant (a static register bank, set and read back through pymodbus's
/// own datastore): the whole seed map decodes, every command writes exactly the registers it should, and a
/// server that goes away and comes back is DISCONNECTED and then reconnected with no command.
/// </summary>
public class MartaPymodbusTests
{
    private static readonly MartaRegisterMap Map = MartaRegisterMapTests.SeedMap();

    private static string Words(float value) => string.Join(',', MartaRegister.EncodeFloat32(value));

    [Fact]
    public async Task Reads_the_whole_seed_map_from_pymodbus_with_the_low_word_first()
    {
        await using var plant = await PymodbusPlant.StartAsync(unitId: 7);
        var floats = Map.Registers.Where(r => r.Type == MartaRegisterType.Float32).ToList();
        var expected = floats.Select((r, i) => (Register: r, Value: -40.125f + i * 1.37f)).ToList();
        foreach (var (register, value) in expected) await plant.SetAsync(register.Address, MartaRegister.EncodeFloat32(value));
        await plant.SetAsync(300, 0b1000_0000_0010_0001, 0b1_0000_0000, 0, 0b1000, 0, 0b0101); // 300–305
        await plant.SetAsync(320, 1);

        await using var rig = new MartaRig(plant.Port, s => s with { UnitId = 7 });
        await rig.WaitForState(MartaState.ChillerRunning);
        var values = rig.Device.Snapshot.Values;

        // A value whose two words differ: read in the wrong order it would be another number.
        var probe = expected.Single(e => e.Register.Name == "TT05_CO2");
        var words = MartaRegister.EncodeFloat32(probe.Value);
        Assert.NotEqual(words[0], words[1]);
        Assert.Equal([words[0], words[1]], await plant.GetAsync(134, 2));
        Assert.Equal(probe.Value, (float)values["TT05_CO2"].Number);
        foreach (var (register, value) in expected) Assert.Equal(value, (float)values[register.Name].Number);

        Assert.Equal(1, values["status"].Number);
        Assert.True(values["set_start_chiller"].IsTrue);
        Assert.False(values["set_start_co2"].IsTrue);
        Assert.True(values["set_flow_active"].IsTrue);
        // Bits 0, 5, 15 of 300, bit 8 of 301, bit 3 of 303: all of them alarm codes.
        Assert.Equal(["CP_Cnt_FS", "CP_HP_W", "ChTT_IOErr_FS", "TT04_CO2_HT_TS", "TT04_R452A_HT_FS"],
            rig.Device.Snapshot.ActiveAlarms.Select(a => a.Register.Name).Order(StringComparer.Ordinal));
        Assert.Empty(await plant.WritesAsync()); // reading writes nothing
    }

    [Fact]
    public async Task Every_command_writes_the_right_registers_and_nothing_else()
    {
        await using var plant = await PymodbusPlant.StartAsync();
        await plant.SetAsync(320, 1);
        await using var rig = new MartaRig(plant.Port);
        await rig.WaitForState(MartaState.Connected);

        async Task Writes(MartaCommand command, double? value, params string[] expected)
        {
            await rig.Do(command, value);
            Assert.Equal(expected, await plant.WritesAsync());
        }

        await Writes(MartaCommand.SetTemperatureSetpoint, -21.37, $"310:{Words(-21.37f)}");
        Assert.Equal(MartaRegister.EncodeFloat32(-21.37f), await plant.GetAsync(310, 2));
        await Writes(MartaCommand.SetSpeedSetpoint, 4321.5, $"312:{Words(4321.5f)}");
        await Writes(MartaCommand.SetFlowSetpoint, 2.75, $"314:{Words(2.75f)}");
        await Writes(MartaCommand.SetFlowActive, 1, "305:4");
        await Writes(MartaCommand.StartChiller, null, "305:5");
        await rig.WaitForState(MartaState.ChillerRunning);
        await Writes(MartaCommand.StartCo2, null, "305:7");
        await rig.WaitForState(MartaState.Co2Running);
        await Writes(MartaCommand.StopCo2, null, "305:5");
        await rig.WaitForState(MartaState.ChillerRunning);
        await Writes(MartaCommand.StopChiller, null, "305:4");
        await rig.WaitForState(MartaState.Connected);
        await Writes(MartaCommand.SetFlowActive, 0, "305:0");

        await plant.SetAsync(305, 0b0011);
        await plant.SetAsync(320, 3);
        await rig.WaitForState(MartaState.Alarm);
        // Both start bits to 0 in one write, then the reset pulse.
        await Writes(MartaCommand.ClearAlarms, null, "305:0", "305:8", "305:0");

        await Writes(MartaCommand.Refresh, null);
        await Writes(MartaCommand.Reconnect, null);
    }

    [Fact]
    public async Task Start_co2_is_refused_when_the_plant_holds_the_chiller_bit_off()
    {
        await using var plant = await PymodbusPlant.StartAsync();
        await plant.SetAsync(305, 1);
        await plant.SetAsync(320, 1);
        await using var rig = new MartaRig(plant.Port, s => s with { PollPeriod = TimeSpan.FromHours(1) });
        await rig.WaitForState(MartaState.ChillerRunning);

        await plant.SetAsync(305, 0); // someone at the plant stopped the chiller since the last poll
        var result = await rig.Device.ExecuteAsync(MartaCommand.StartCo2);
        Assert.False(result.Ok);
        Assert.Contains("start_co2 refused: it would write set_start_co2 1 with set_start_chiller 0", result.Error);
        Assert.Empty(await plant.WritesAsync());
        Assert.Equal(0, await plant.GetAsync(305));
    }

    [Fact]
    public async Task A_server_stop_gives_DISCONNECTED_and_the_link_comes_back_with_no_command()
    {
        await using var plant = await PymodbusPlant.StartAsync();
        await plant.SetAsync(320, 1);
        await plant.SetAsync(305, 1);
        await using var rig = new MartaRig(plant.Port);
        await rig.WaitForState(MartaState.ChillerRunning);

        await plant.StopAsync();
        await rig.WaitForState(MartaState.Disconnected);
        Assert.False(rig.Device.Snapshot.Live);
        Assert.NotNull(rig.Device.Snapshot.Problem);

        await plant.StartAgainAsync();
        await rig.WaitForState(MartaState.ChillerRunning);
        Assert.Null(rig.Device.Snapshot.Problem);
        Assert.Empty(await plant.WritesAsync());
    }
}
