using TrackerDcs.Web.Devices;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Components;
using MudBlazor;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>The Julabo chiller: gauges, start/stop, set points, sensor and pump stage, through the command bus.</summary>
public partial class Chiller
{
    [Inject] private IDeviceView<JulaboView> Julabo { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private PanelCommands Commands { get; set; } = default!;

    private JulaboView Status { get; set; } = default!; // set by Load before the first render
    private string? UnitText { get; set; }
    private PanelUser User { get; set; } = PanelUser.Nobody;
    private string? Refusal { get; set; }
    private Dictionary<int, double?> Inputs { get; } = new() { [1] = null, [2] = null, [3] = null };

    protected override PanelTopic Topics => PanelTopic.Julabo;

    protected override async Task OnInitializedAsync() => User = await Session.UserAsync();

    protected override void Load()
    {
        Status = Julabo.View;
        UnitText = Status.StatusText ?? Status.LastError;
    }

    /// <summary>The user's role first, then the chiller's state machine (the view's refusal).</summary>
    private string? Why(string? refusal) => User.CommandRefusal ?? refusal;

    private string? InputReason(int setpoint) => Why(Status.ConfigureRefusal) ?? (Inputs[setpoint] is null ? "enter a temperature first" : null);

    private async Task SetTemperatureAsync(int setpoint)
    {
        if (Inputs[setpoint] is not { } temp) return;
        var payload = $"{{\"setpoint\":{setpoint},\"temp\":{temp.ToString(CultureInfo.InvariantCulture)}}}";
        if (await SendAsync($"Set point {setpoint} to {temp.ToString(CultureInfo.InvariantCulture)} °C", "setWT", payload)) Inputs[setpoint] = null;
    }

    private async Task<bool> SendAsync(string label, string command, string payload = "")
    {
        Refusal = await Commands.SendAsync(label, $"{JulaboTopics.Root}/cmd/{command}", payload);
        Load();
        return Refusal is null;
    }

    /// <summary>The colour of a chiller state (its wire name).</summary>
    internal static Color StateColour(string state) => state switch
    {
        "ON" => Color.Success,
        "OFF" => Color.Default,
        "ERROR" => Color.Error,
        _ => Color.Dark,
    };

    internal static string Celsius(double? value) => Reading.Format(value, "0.00", "°C");
}
