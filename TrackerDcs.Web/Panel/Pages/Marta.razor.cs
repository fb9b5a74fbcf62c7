using System.Globalization;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Components;
using MudBlazor;
using TrackerDcs.Hardware.Marta;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.Marta;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// MARTA, the CO2 plant: its state, a process view of the main temperatures, pressures, flow and set points, its alarm
/// bits, and the seed's commands through the command bus; buttons are enabled only when the state machine allows them.
/// </summary>
public partial class Marta
{
    [Inject] private IServiceProvider Services { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private PanelCommands Commands { get; set; } = default!;

    private IDeviceView<MartaView>? _device;
    private MartaView? Status { get; set; }
    private PanelUser User { get; set; } = PanelUser.Nobody;
    private string? Refusal { get; set; }
    private Dictionary<string, double?> Inputs { get; } = Setpoints.ToDictionary(s => s.Command, _ => (double?)null);

    /// <summary>One line of the process view: a register of the map, its label and unit.</summary>
    internal sealed record Row(string Register, string Label, string Unit, string Format = "0.0");

    /// <summary>A set point: the command that writes it, the register that reads it back.</summary>
    internal sealed record Setpoint(string Command, string ReadBack, string Label, string Unit, string Format)
    {
        private MartaCommandSpec Spec => Hardware.Marta.MartaCommands.Find(Command)!;

        /// <summary>The limits without the unit ("-35 … 25"), short enough for the field's placeholder.</summary>
        public string Limits => $"{Spec.Min.ToString(CultureInfo.InvariantCulture)} … {Spec.Max.ToString(CultureInfo.InvariantCulture)}";

        /// <summary>The limits with the unit, on hover.</summary>
        public string Range => Spec.Range;
    }

    internal static readonly IReadOnlyList<Setpoint> Setpoints =
    [
        new("set_temperature_setpoint", "temperature_setpoint", "Temperature", "°C", "0.0"),
        new("set_speed_setpoint", "speed_setpoint", "Pump speed", "rpm", "0"),
        new("set_flow_setpoint", "flow_setpoint", "Flow", "", "0.00"),
    ];

    internal static readonly IReadOnlyList<(string Section, IReadOnlyList<Row> Rows)> Process =
    [
        ("CO2 loop", [
            new("TT05_CO2", "Loop temperature TT05", "°C"), new("TT01_CO2", "Pump suction TT01", "°C"), new("SC01_CO2_calc", "Suction subcooling SC01", "K"),
            new("PT01_CO2", "Suction pressure PT01", "bar", "0.00"), new("PT02_CO2", "Pump outlet PT02", "bar", "0.00"), new("PT04_CO2", "Accumulator PT04", "bar", "0.00"),
            new("FT01_CO2", "Flow FT01", "", "0.00"), new("LP_speed", "Pump LP1 speed", "rpm", "0"), new("EH_power", "Accumulator heater", "%", "0"),
        ]),
        ("R452A chiller", [
            new("TT03_R452A", "Evaporator outlet TT03", "°C"), new("PT03_R452A", "Suction PT03", "bar", "0.00"), new("PT01_R452A", "Discharge PT01", "bar", "0.00"),
        ]),
    ];

    protected override PanelTopic Topics => PanelTopic.Marta;

    protected override void OnInitialized()
    {
        _device = Services.GetService<IDeviceView<MartaView>>();
        base.OnInitialized();
    }

    protected override async Task OnInitializedAsync() => User = await Session.UserAsync();

    protected override void Load() => Status = _device?.View;

    /// <summary>The user's role first, then the plant's state machine (the view's refusal).</summary>
    private string? Why(string command) => User.CommandRefusal ?? Status?.Refusal(command);

    private string? InputReason(string command) => Why(command) ?? (Inputs[command] is null ? "enter a value first" : null);

    /// <summary>The values last read, also while the link is down (the page says they are not current).</summary>
    private double? Value(string register) => Status is not null && Status.Values.TryGetValue(register, out var v) ? v : null;

    /// <summary>A gauge shows only current values: an empty gauge while disconnected says more than a stale needle.</summary>
    private double? Shown(string register) => Status?.Value(register);

    private const string LoopTemperature = "TT05_CO2";
    private const string SuctionPressure = "PT01_CO2";
    private const string Flow = "FT01_CO2";
    private const string PumpSpeed = "LP_speed";

    private string Format(Row row) => Format(row.Register, row.Unit, row.Format);

    private string Format(string register, string unit, string format) => Reading.Format(Value(register), format, unit);

    private async Task SetAsync(Setpoint setpoint)
    {
        if (Inputs[setpoint.Command] is not { } value) return;
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (await SendAsync($"{setpoint.Label} set point to {text}", setpoint.Command, text)) Inputs[setpoint.Command] = null;
    }

    private async Task<bool> SendAsync(string label, string command, string payload = "")
    {
        Refusal = await Commands.SendAsync(label, $"{MartaTopics.Root}/cmd/{command}", payload);
        Load();
        return Refusal is null;
    }

    /// <summary>The colour of a MARTA state (its wire name).</summary>
    internal static Color StateColour(string state) => state switch
    {
        "CO2_RUNNING" => Color.Success,
        "CHILLER_RUNNING" => Color.Info,
        "CONNECTED" => Color.Default,
        "ALARM" => Color.Error,
        _ => Color.Dark,
    };
}
