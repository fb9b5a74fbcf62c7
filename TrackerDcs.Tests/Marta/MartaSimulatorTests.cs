using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.Marta;
using TrackerDcs.Hardware.Modbus;

namespace TrackerDcs.Tests.Marta;

/// <summary>The simulated plant on a fake clock: the chiller then the CO2 loop follow their set points, values stay consistent, alarms trip it.</summary>
public class MartaSimulatorTests
{
    private readonly FakeTimeProvider _clock = new();

    private MartaSimulator Plant(double noise = 0) =>
        new(MartaRegisterMapTests.SeedMap(), new MartaSimulatorOptions { Noise = noise }, _clock);

    private void Minutes(double minutes) => _clock.Advance(TimeSpan.FromMinutes(minutes));

    [Fact]
    public async Task At_power_up_everything_is_at_ambient_and_status_is_1()
    {
        await using var plant = Plant();
        Assert.Equal(1, plant.Read("status").Number);
        Assert.Equal(20, plant.Read("TT05_CO2").Number, 3);
        Assert.Equal(57.3, plant.Read("PT04_CO2").Number, 1); // CO2 saturation at 20 °C
        Assert.Equal(0, plant.Read("LP_speed").Number);
        Assert.Equal(15, plant.Read("set_temperature_setpoint").Number);
        Assert.Equal(15, plant.Read("temperature_setpoint").Number);
        Assert.Equal(plant.Read("PT01_R452A").Number, plant.Read("PT03_R452A").Number, 3); // stopped: one pressure
    }

    [Fact]
    public async Task The_chiller_cools_first_then_the_CO2_loop_follows_its_set_point_with_the_pump_at_its_speed()
    {
        await using var plant = Plant();
        plant.WriteAtPanel("set_temperature_setpoint", -20);
        plant.WriteAtPanel("set_start_chiller", 1);
        Minutes(1);
        var evaporator = plant.Read("ST03_R452A_calc").Number;
        Assert.InRange(evaporator, -30, 10); // on its way from 20 °C to −30 °C (time constant 1 min)
        Minutes(9);
        Assert.Equal(-30, plant.Read("ST03_R452A_calc").Number, 1);
        Assert.True(plant.Read("PT01_R452A").Number > 3 * plant.Read("PT03_R452A").Number, "compressor: discharge well above suction");
        Assert.Equal(6, plant.Read("SH03_R452A_calc").Number, 3);
        Assert.Equal(1, plant.Read("status").Number);
        Assert.True(plant.Read("TT05_CO2").Number > 15, "no CO2 circulation yet");

        plant.WriteAtPanel("set_start_co2", 1);
        Assert.Equal(2, plant.Read("status").Number);
        Minutes(0.5);
        Assert.Equal(3000, plant.Read("LP_speed").Number, 0);
        Assert.Equal(3, plant.Read("FT01_CO2").Number, 3);
        Minutes(15);
        Assert.Equal(-20, plant.Read("TT05_CO2").Number, 0.5);
        Assert.Equal(-20, plant.Read("temperature_setpoint").Number);

        // In flow mode the pump runs at the speed that gives the flow set point.
        plant.WriteAtPanel("set_flow_setpoint", 4.5);
        plant.WriteAtPanel("set_flow_active", 1);
        Minutes(0.5);
        Assert.Equal(4.5, plant.Read("FT01_CO2").Number, 2);
        Assert.Equal(4500, plant.Read("LP_speed").Number, 0);

        plant.WriteAtPanel("set_start_co2", 0);
        Minutes(0.5);
        Assert.InRange(plant.Read("LP_speed").Number, 0, 1); // ten pump time constants
        Assert.Equal(1, plant.Read("status").Number);
    }

    [Fact]
    public async Task Pressures_and_calculated_values_are_consistent_with_the_temperatures()
    {
        await using var plant = Plant(noise: 0.02);
        plant.WriteAtPanel("set_temperature_setpoint", -25);
        plant.WriteAtPanel("set_start_chiller", 1);
        plant.WriteAtPanel("set_start_co2", 1);
        Minutes(30);

        // CO2 boils at the modules: the pressure there is the saturation pressure of the temperature (−25 °C: 16.8 bar).
        Assert.Equal(-25, plant.Read("TT05_CO2").Number, 0.5);
        Assert.Equal(16.8, plant.Read("PT05_CO2").Number, 0.5);
        for (var i = 1; i <= 6; i++)
            Assert.Equal(plant.Read($"ST0{i}_CO2_calc").Number - plant.Read($"TT0{i}_CO2").Number, plant.Read($"SC0{i}_CO2_calc").Number, 3);
        Assert.True(plant.Read("SC01_CO2_calc").Number > 2, "liquid subcooled at the pump's suction");
        Assert.Equal(plant.Read("PT02_CO2").Number - plant.Read("PT01_CO2").Number, plant.Read("DP03_CO2_calc").Number, 3);
        Assert.True(plant.Read("DP03_CO2_calc").Number > 0.5, "the pump's head");
        Assert.True(plant.Read("PT02_CO2").Number > plant.Read("PT03_CO2").Number && plant.Read("PT03_CO2").Number > plant.Read("PT05_CO2").Number
                    && plant.Read("PT05_CO2").Number > plant.Read("PT06_CO2").Number, "pressure falls along the loop");
        Assert.Equal(plant.Read("TT03_R452A").Number - plant.Read("ST03_R452A_calc").Number, plant.Read("SH03_R452A_calc").Number, 3);
        Assert.InRange(plant.Read("EV1_valve_pos").Number, 20, 80);
    }

    [Fact]
    public async Task A_frozen_clock_reads_the_same_noisy_values_every_time()
    {
        await using var plant = Plant(noise: 0.05);
        var first = plant.Read("TT05_CO2").Number;
        Assert.Equal(first, plant.Read("TT05_CO2").Number);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.NotEqual(first, plant.Read("TT05_CO2").Number);
    }

    [Fact]
    public async Task A_fail_safe_bit_trips_the_plant_to_status_3_until_a_reset_and_a_warning_does_not()
    {
        await using var plant = Plant();
        plant.WriteAtPanel("set_start_chiller", 1);
        plant.WriteAtPanel("set_start_co2", 1);
        Minutes(1);
        plant.InjectAlarm("CP_HP_W");
        Assert.Equal(2, plant.Read("status").Number);
        Assert.True(plant.Read("CP_HP_W").IsTrue);

        plant.InjectAlarm("TT04_CO2_HT_TS");
        Assert.Equal(3, plant.Read("status").Number);
        Minutes(1);
        Assert.Equal(0, plant.Read("LP_speed").Number, 1);
        Assert.True(plant.Read("set_start_co2").IsTrue, "the start bits stay as written");
        Assert.Equal(["CP_HP_W", "TT04_CO2_HT_TS"], plant.ActiveAlarms.Order());

        plant.WriteAtPanel("set_alarm_reset", 1);
        Assert.Empty(plant.ActiveAlarms);
        Assert.False(plant.Read("TT04_CO2_HT_TS").IsTrue);
        Assert.Equal(2, plant.Read("status").Number); // the start bits were left on: it runs again

        Assert.Throws<ArgumentException>(() => plant.InjectAlarm("set_start_co2"));
        Assert.Throws<ArgumentException>(() => plant.InjectAlarm("TT05_CO2"));
    }

    [Fact]
    public async Task Over_Modbus_only_the_maps_addresses_exist_and_only_inputs_can_be_written()
    {
        await using var plant = Plant();
        await using var client = new ModbusTcpClient("127.0.0.1", plant.EndPoint.Port, plant.UnitId, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        Assert.Equal(1, (await client.ReadHoldingRegistersAsync(320, 1))[0]);
        var gap = await Assert.ThrowsAsync<ModbusServerException>(() => client.ReadHoldingRegistersAsync(164, 4));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, gap.Code);
        var readOnly = await Assert.ThrowsAsync<ModbusServerException>(() => client.WriteMultipleRegistersAsync(320, [3]));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, readOnly.Code);

        await client.WriteMultipleRegistersAsync(310, MartaRegister.EncodeFloat32(-12.25f));
        Assert.Equal(-12.25, plant.Read("set_temperature_setpoint").Number);
        Assert.Equal(2, plant.WriteCount);
    }
}
