using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Marta;

namespace TrackerDcs.Tests.Marta;

/// <summary>The state table, the seed's rules for deriving the state, and the command table's refusals, in memory.</summary>
public class MartaStateMachineTests
{
    [Theory]
    [InlineData(1, false, false, MartaState.Connected)]
    [InlineData(1, true, false, MartaState.ChillerRunning)]
    [InlineData(1, true, true, MartaState.Co2Running)]
    [InlineData(2, true, true, MartaState.Co2Running)]
    [InlineData(3, false, false, MartaState.Alarm)]
    [InlineData(3, true, true, MartaState.Alarm)]
    public void The_seeds_rules_derive_the_state_from_status_and_start_bits(int status, bool chiller, bool co2, MartaState expected)
    {
        var (@event, problem) = MartaStateMachine.Classify(status, chiller, co2);
        Assert.Null(problem);
        foreach (var from in Enum.GetValues<MartaState>()) Assert.Equal(expected, MartaStateMachine.Next(from, @event));
    }

    [Theory]
    [InlineData(1, false, true, "set_start_co2 is 1 with set_start_chiller 0 (status 1): never allowed; the plant's doing, not TrackerDcs's")]
    [InlineData(2, false, true, "set_start_co2 is 1 with set_start_chiller 0 (status 2)")]
    [InlineData(2, true, false, "status 2 (CO2 running) while set_start_co2 is 0; the plant's doing")]
    [InlineData(0, false, false, "status 0 is none of 1, 2, 3; the plant's doing")]
    [InlineData(7, true, false, "status 7 is none of 1, 2, 3")]
    public void A_reading_no_rule_explains_is_an_alarm_blamed_on_the_plant(int status, bool chiller, bool co2, string expected)
    {
        var (@event, problem) = MartaStateMachine.Classify(status, chiller, co2);
        Assert.Equal(MartaEvent.ReadInconsistent, @event);
        Assert.Contains(expected, problem);
        Assert.Equal(MartaState.Alarm, MartaStateMachine.Next(MartaState.Co2Running, @event));
    }

    [Fact]
    public void The_table_covers_every_state_and_event_and_never_leads_back_to_init()
    {
        foreach (var state in Enum.GetValues<MartaState>())
        foreach (var @event in Enum.GetValues<MartaEvent>())
            Assert.NotEqual(MartaState.Init, MartaStateMachine.Next(state, @event));
        Assert.Equal(MartaState.Disconnected, MartaStateMachine.Next(MartaState.Init, MartaEvent.LinkLost));
        Assert.Equal(MartaState.Disconnected, MartaStateMachine.Next(MartaState.Co2Running, MartaEvent.LinkLost));
        Assert.Equal(Enum.GetValues<MartaState>().Length * Enum.GetValues<MartaEvent>().Length, MartaStateMachine.Transitions.Count);
    }

    [Fact]
    public void State_names_on_the_wire_are_the_seeds()
    {
        Assert.Equal(["INIT", "DISCONNECTED", "CONNECTED", "CHILLER_RUNNING", "CO2_RUNNING", "ALARM"], Enum.GetValues<MartaState>().Select(s => s.Wire()));
    }

    [Theory]
    [InlineData(MartaCommand.StartChiller, MartaState.Connected)]
    [InlineData(MartaCommand.StopChiller, MartaState.ChillerRunning)]
    [InlineData(MartaCommand.StartCo2, MartaState.ChillerRunning)]
    [InlineData(MartaCommand.StopCo2, MartaState.Co2Running)]
    [InlineData(MartaCommand.ClearAlarms, MartaState.Alarm)]
    public void Plant_commands_are_allowed_in_one_state_only(MartaCommand command, MartaState only)
    {
        var spec = MartaCommands.Of(command);
        foreach (var state in Enum.GetValues<MartaState>())
            Assert.Equal(state == only, spec.Allows(state));
    }

    [Fact]
    public void A_refusal_says_what_the_command_needs_and_what_MARTA_is()
    {
        Assert.Equal("start_co2 needs CHILLER_RUNNING (MARTA is CONNECTED)", MartaCommands.Of(MartaCommand.StartCo2).Refusal(MartaState.Connected));
        Assert.Equal("stop_chiller needs CHILLER_RUNNING (MARTA is CO2_RUNNING)", MartaCommands.Of(MartaCommand.StopChiller).Refusal(MartaState.Co2Running));
        Assert.Equal("set_temperature_setpoint needs CONNECTED, CHILLER_RUNNING, CO2_RUNNING or ALARM (MARTA is DISCONNECTED)",
            MartaCommands.Of(MartaCommand.SetTemperatureSetpoint).Refusal(MartaState.Disconnected));
        Assert.Null(MartaCommands.Of(MartaCommand.Reconnect).Refusal(MartaState.Init));
        Assert.Null(MartaCommands.Of(MartaCommand.Refresh).Refusal(MartaState.Disconnected));
    }

    [Theory]
    [InlineData(MartaCommand.SetTemperatureSetpoint, -35.0, null)]
    [InlineData(MartaCommand.SetTemperatureSetpoint, 25.0, null)]
    [InlineData(MartaCommand.SetTemperatureSetpoint, 25.5, "set_temperature_setpoint: 25.5 °C is above the maximum 25 °C")]
    [InlineData(MartaCommand.SetTemperatureSetpoint, -40.0, "set_temperature_setpoint: -40 °C is below the minimum -35 °C")]
    [InlineData(MartaCommand.SetTemperatureSetpoint, double.NaN, "set_temperature_setpoint: NaN is not a finite number (-35 … 25 °C)")]
    [InlineData(MartaCommand.SetTemperatureSetpoint, null, "set_temperature_setpoint needs a value: -35 … 25 °C")]
    [InlineData(MartaCommand.SetSpeedSetpoint, 6000.0, null)]
    [InlineData(MartaCommand.SetSpeedSetpoint, 6001.0, "set_speed_setpoint: 6001 rpm is above the maximum 6000 rpm")]
    [InlineData(MartaCommand.SetSpeedSetpoint, double.PositiveInfinity, "set_speed_setpoint: Infinity is not a finite number (0 … 6000 rpm)")]
    [InlineData(MartaCommand.SetFlowSetpoint, 5.0, null)]
    [InlineData(MartaCommand.SetFlowSetpoint, -0.1, "set_flow_setpoint: -0.1 is below the minimum 0")]
    [InlineData(MartaCommand.SetFlowActive, 1.0, null)]
    [InlineData(MartaCommand.SetFlowActive, 0.0, null)]
    [InlineData(MartaCommand.SetFlowActive, 0.5, "set_flow_active: 0.5 is not 0 or 1")]
    [InlineData(MartaCommand.SetFlowActive, null, "set_flow_active needs a value: 0 or 1")]
    [InlineData(MartaCommand.StartChiller, 1.0, "start_chiller takes no value")]
    [InlineData(MartaCommand.ClearAlarms, null, null)]
    public void Values_are_checked_against_the_seeds_limits_naming_the_bound(MartaCommand command, double? value, string? expected)
    {
        Assert.Equal(expected, MartaCommands.Of(command).CheckArgument(value));
    }

    [Fact]
    public void Commands_are_found_by_their_seed_names()
    {
        Assert.Equal(["start_chiller", "stop_chiller", "start_co2", "stop_co2", "set_flow_active", "set_temperature_setpoint", "set_speed_setpoint",
            "set_flow_setpoint", "clear_alarms", "reconnect", "refresh"], MartaCommands.All.Select(c => c.Name));
        Assert.Equal(MartaCommand.StartCo2, MartaCommands.Find("start_co2")!.Command);
        Assert.Null(MartaCommands.Find("START_CO2"));
        Assert.Equal(Enum.GetValues<MartaCommand>(), MartaCommands.All.Select(c => c.Command));
    }
}
