using TrackerDcs.Web.Devices;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Components;
using MudBlazor;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Interlocks;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>The Julabo chiller: gauges, start/stop, set points, sensor and pump stage, through the command bus.</summary>
public partial class Chiller
{
    [Inject] private IDeviceView<JulaboView> Julabo { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private PanelCommands Commands { get; set; } = default!;
    [Inject] private IDeviceView<CaenView> Caen { get; set; } = default!;
    [Inject] private IReadOnlyList<InterlockRule> Rules { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    private JulaboView Status { get; set; } = default!; // set by Load before the first render
    private string? UnitText { get; set; }
    private PanelUser User { get; set; } = PanelUser.Nobody;
    private string? Refusal { get; set; }
    private Dictionary<int, double?> Inputs { get; } = new() { [1] = null, [2] = null, [3] = null };

    /// <summary>Set points the unit accepted but has not read back yet: shown as pending, the typed value kept, until it does.</summary>
    private Dictionary<int, double> Pending { get; } = [];

    protected override PanelTopic Topics => PanelTopic.Julabo;

    protected override async Task OnInitializedAsync() => User = await Session.UserAsync();

    protected override void Load()
    {
        Status = Julabo.View;
        UnitText = Status.StatusText ?? Status.LastError;
        foreach (var (setpoint, temp) in Pending.ToList())
        {
            // The unit reads set points back to 0.01 °C.
            if (Status.Setpoint(setpoint) is not { } readBack || Math.Abs(readBack - Math.Round(temp, 2)) > 0.0051) continue;
            Pending.Remove(setpoint);
            if (Inputs[setpoint] == temp) Inputs[setpoint] = null;
        }
    }

    /// <summary>The user's role first, then the chiller's state machine (the view's refusal).</summary>
    private string? Why(string? refusal) => User.CommandRefusal ?? refusal;

    /// <summary>Why the set points, the sensor and the pump stage cannot be changed now, or null when they can.</summary>
    private string? ConfigureReason => Why(Status.ConfigureRefusal);

    /// <summary>What is written under each row of those controls while they are disabled.</summary>
    private string? WrittenConfigureReason => ConfigureReason is { } reason ? PanelUser.WrittenReason(User, reason) : null;

    /// <summary>
    /// Why Set is disabled, as its tooltip only: the configure reason is written once under its row, and an empty field
    /// shows its own placeholder ("enter a temperature first" under all three Set buttons was noise).
    /// </summary>
    private string? InputReason(int setpoint) => ConfigureReason ?? (Inputs[setpoint] is null ? "enter a temperature first" : null);

    private async Task SetTemperatureAsync(int setpoint)
    {
        if (Inputs[setpoint] is not { } temp) return;
        var payload = $"{{\"setpoint\":{setpoint},\"temp\":{temp.ToString(CultureInfo.InvariantCulture)}}}";
        // "Accepted" is not "done": the display changes when the unit's read-back does, which the page waits for (Load).
        Refusal = await Commands.SendAsync($"Set point {setpoint} to {temp.ToString(CultureInfo.InvariantCulture)} °C",
            $"{JulaboTopics.Root}/cmd/setWT", payload, accepted: "sent, waiting for the unit's read-back");
        if (Refusal is null) Pending[setpoint] = temp;
        Load();
    }

    /// <summary>Stop is confirmed; with HV on, the dialog says what the interlocks will do about the lost cooling.</summary>
    private async Task StopAsync()
    {
        if (!await ConfirmDialog.AskAsync(Dialogs, "Stop the chiller?", "The bath stops circulating and cooling.", "Stop the chiller",
                warning: StopConsequence(), confirmColour: Color.Error))
            return;
        await SendAsync("Stop", "stop");
    }

    private string? StopConsequence()
    {
        if (!Caen.View.HvLive) return null;
        // The rules that act on a stopped chiller are those whose condition reads chiller.state (interlocks.yml).
        var rules = Rules.Where(r => r.Actions.Contains(InterlockAction.HvOff) && r.When.Contains("chiller.state")).ToList();
        return rules.Count == 0
            ? "HV is on, and no interlock switches it off when the chiller stops: the modules stay biased without cooling."
            : "HV is on: " + string.Join("; ", rules.Select(r => $"interlock {r.Name} will switch HV off {r.For.TotalSeconds:0} s after the chiller stops")) + ".";
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
