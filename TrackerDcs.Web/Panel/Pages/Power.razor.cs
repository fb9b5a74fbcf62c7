using TrackerDcs.Web.Devices;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>The CAEN crate: channels, lights, set points, and the crate commands behind the state machine's guards.</summary>
public partial class Power
{
    [Inject] private IDeviceView<CaenView> Caen { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private PanelCommands Commands { get; set; } = default!;

    private CaenView View { get; set; } = default!; // set by Load before the first render
    private PanelUser User { get; set; } = PanelUser.Nobody;
    private string? Refusal { get; set; }

    /// <summary>
    /// One slot per channel, kept across updates: the table's rows (and a set point being typed in them) stay the same
    /// components while the readings in them change several times a second.
    /// </summary>
    private List<ChannelSlot> Slots { get; } = [];

    private sealed class ChannelSlot(CaenChannelView row)
    {
        public CaenChannelView Row { get; set; } = row;
    }

    protected override PanelTopic Topics => PanelTopic.Caen;

    protected override async Task OnInitializedAsync() => User = await Session.UserAsync();

    protected override void Load()
    {
        View = Caen.View;
        var ids = View.Channels.Select(c => c.Id).ToList();
        if (!Slots.Select(s => s.Row.Id).SequenceEqual(ids))
        {
            Slots.Clear();
            Slots.AddRange(View.Channels.Select(c => new ChannelSlot(c)));
        }
        else
        {
            for (var i = 0; i < ids.Count; i++) Slots[i].Row = View.Channels[i];
        }
    }

    /// <summary>Why a button is disabled: the user's role first, then the crate's state machine (the view's refusal).</summary>
    private string? Why(string? refusal) => User.CommandRefusal ?? refusal;

    private string? SetVReason(CaenChannelView row) =>
        User.CommandRefusal ?? (row.Active ? View.SetVRefusal : $"channel {row.Id} has no module: it is monitored, never commanded");

    private async Task SwitchAsync(string supply, bool on)
    {
        var label = $"{supply.ToUpperInvariant()} {(on ? "on" : "off")}";
        // HV on puts high voltage on the modules; LV off with a module biased would damage it: both are confirmed.
        // The dialog lists what changes (each channel, and for HV its target), so the operator confirms voltages, not a button.
        if ((supply, on) is ("hv", true) or ("lv", false))
        {
            var commanded = View.Channels.Where(c => c.Active && c.State != CaenState.Unavailable.Wire()).ToList();
            var (text, items) = on
                ? ("These channels ramp their HV to their set point. Are the modules ready for bias?",
                   commanded.Select(c => $"Channel {c.Id} ({c.Module}): {Volts(c.Hv.SetV, "0.#")}, {Origin(c.Hv)}").ToList())
                : ("The low voltage of these channels goes off.",
                   commanded.Select(c => $"Channel {c.Id} ({c.Module})").ToList());
            if (!await ConfirmDialog.AskAsync(Dialogs, $"Switch {label}?", text, $"Switch {label}", items,
                    confirmColour: on ? Color.Warning : Color.Primary))
                return;
        }
        await SendAsync(label, $"switch/{supply}", on ? "on" : "off");
    }

    private Task SetVoltageAsync(string supply, string id, double volts) =>
        SendAsync($"{supply.ToUpperInvariant()} set V of channel {id}", $"setv/{supply}/{id}", volts.ToString(CultureInfo.InvariantCulture));

    private async Task SendAsync(string label, string command, string payload = "")
    {
        Refusal = await Commands.SendAsync(label, $"{View.Root}/cmd/{command}", payload);
        Load();
    }

    /// <summary>The colour of a crate or channel state (its wire name).</summary>
    internal static Color StateColour(string state) => state switch
    {
        "HV_ON" or "HV_RAMP" or "HV_RAMP_DOWN" or "HV_MIX" => Color.Warning,
        "LV_ON" or "LV_MIX" => Color.Success,
        "ERROR" or "UNAVAILABLE" => Color.Error,
        "DISCONNECTED" or "INIT" => Color.Dark,
        _ => Color.Default,
    };

    /// <summary>Where the set point in force came from: an operator's command (kept across restarts) or channels.yml.</summary>
    internal string Origin(CaenSupplyView supply) =>
        supply.Origin is { } origin ? $"set by {origin.User} {Clock.Caption(origin.At)}" : "from channels.yml";

    private static string Volts(double? v, string format) => Reading.Format(v, format, "V");

    private static string Amps(double? v, string format, string unit) => Reading.Format(v, format, unit);
}
