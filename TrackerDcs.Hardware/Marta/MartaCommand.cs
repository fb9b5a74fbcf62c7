using System.Globalization;

namespace TrackerDcs.Hardware.Marta;

/// <summary>The seed's MARTA/cmd/&lt;command&gt; commands.</summary>
public enum MartaCommand
{
    StartChiller, StopChiller, StartCo2, StopCo2, SetFlowActive,
    SetTemperatureSetpoint, SetSpeedSetpoint, SetFlowSetpoint, ClearAlarms, Reconnect, Refresh,
}

/// <summary>What a command takes: nothing, 0 or 1, or a number within limits.</summary>
public enum MartaArgument { None, Flag, Number }

/// <summary>
/// One command described as data: its seed name (the MQTT topic level), what it takes, and the states that allow
/// it (null: any). The panel enables its buttons from <see cref="Allows"/>, the command routes parse payloads from
/// <see cref="Argument"/> and the limits, and the device checks both again before anything is written.
/// </summary>
public sealed record MartaCommandSpec(MartaCommand Command, string Name, MartaArgument Argument, MartaState[]? AllowedIn,
    double Min = 0, double Max = 0, string Unit = "")
{
    public bool Allows(MartaState state) => AllowedIn is null || AllowedIn.Contains(state);

    /// <summary>Why the command is refused in this state ("start_co2 needs CHILLER_RUNNING (MARTA is CONNECTED)"), or null.</summary>
    public string? Refusal(MartaState state) => Allows(state)
        ? null
        : $"{Name} needs {Join(AllowedIn!.Select(s => s.Wire()).ToList())} (MARTA is {state.Wire()})";

    /// <summary>Why the value is refused, naming the bound it broke, or null.</summary>
    public string? CheckArgument(double? value) => (Argument, value) switch
    {
        (MartaArgument.None, null) => null,
        (MartaArgument.None, _) => $"{Name} takes no value",
        (_, null) => $"{Name} needs a value: {Range}",
        (_, { } v) when !double.IsFinite(v) => $"{Name}: {Text(v)} is not a finite number ({Range})",
        (MartaArgument.Flag, { } v) when v is not (0 or 1) => $"{Name}: {Text(v)} is not 0 or 1",
        (MartaArgument.Number, { } v) when v < Min => $"{Name}: {Text(v)}{UnitText} is below the minimum {Text(Min)}{UnitText}",
        (MartaArgument.Number, { } v) when v > Max => $"{Name}: {Text(v)}{UnitText} is above the maximum {Text(Max)}{UnitText}",
        _ => null,
    };

    /// <summary>"−35 … 25 °C", "0 or 1".</summary>
    public string Range => Argument == MartaArgument.Flag ? "0 or 1" : $"{Text(Min)} … {Text(Max)}{UnitText}";

    private string UnitText => Unit.Length > 0 ? $" {Unit}" : "";
    private static string Text(double v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Join(IReadOnlyList<string> names) => names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}";
}

/// <summary>The command table, with the seed's preconditions and limits.</summary>
public static class MartaCommands
{
    /// <summary>Set points and the flow switch need a link, in any state the plant reports.</summary>
    private static readonly MartaState[] Linked = [MartaState.Connected, MartaState.ChillerRunning, MartaState.Co2Running, MartaState.Alarm];

    public static readonly IReadOnlyList<MartaCommandSpec> All =
    [
        new(MartaCommand.StartChiller, "start_chiller", MartaArgument.None, [MartaState.Connected]),
        new(MartaCommand.StopChiller, "stop_chiller", MartaArgument.None, [MartaState.ChillerRunning]),
        new(MartaCommand.StartCo2, "start_co2", MartaArgument.None, [MartaState.ChillerRunning]),
        new(MartaCommand.StopCo2, "stop_co2", MartaArgument.None, [MartaState.Co2Running]),
        new(MartaCommand.SetFlowActive, "set_flow_active", MartaArgument.Flag, Linked),
        new(MartaCommand.SetTemperatureSetpoint, "set_temperature_setpoint", MartaArgument.Number, Linked, -35, 25, "°C"),
        new(MartaCommand.SetSpeedSetpoint, "set_speed_setpoint", MartaArgument.Number, Linked, 0, 6000, "rpm"),
        new(MartaCommand.SetFlowSetpoint, "set_flow_setpoint", MartaArgument.Number, Linked, 0, 5),
        new(MartaCommand.ClearAlarms, "clear_alarms", MartaArgument.None, [MartaState.Alarm]),
        new(MartaCommand.Reconnect, "reconnect", MartaArgument.None, null),
        new(MartaCommand.Refresh, "refresh", MartaArgument.None, null),
    ];

    private static readonly Dictionary<MartaCommand, MartaCommandSpec> ByCommand = All.ToDictionary(c => c.Command);
    private static readonly Dictionary<string, MartaCommandSpec> ByName = All.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static MartaCommandSpec Of(MartaCommand command) => ByCommand[command];

    /// <summary>The command for a seed name (the last level of MARTA/cmd/&lt;command&gt;), or null.</summary>
    public static MartaCommandSpec? Find(string name) => ByName.GetValueOrDefault(name);
}
