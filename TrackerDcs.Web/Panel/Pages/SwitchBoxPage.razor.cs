using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.SwitchBox;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// The switch box: LV, HV and the 48 channels, the rules, through the command bus on SB/cmd (the seed's payloads).
/// A button is enabled only when the driver would send its command now: the view evaluates the state machine and
/// the rules, and the disabled button's hover names the rule.
/// </summary>
public partial class SwitchBoxPage
{
    [Inject] private IDeviceView<SwitchBoxView> SwitchBox { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private PanelCommands Commands { get; set; } = default!;

    private SwitchBoxView Box { get; set; } = default!; // set by Load before the first render
    private PanelUser User { get; set; } = PanelUser.Nobody;
    private string? Refusal { get; set; }

    protected override PanelTopic Topics => PanelTopic.SwitchBox;

    protected override async Task OnInitializedAsync() => User = await Session.UserAsync();

    protected override void Load() => Box = SwitchBox.View;

    /// <summary>The user's role first, then the box's state machine and rules.</summary>
    private string? Why(SwitchBoxCommand command) => User.CommandRefusal ?? Box.Refusal(command);

    /// <summary>Why channel cells are greyed, each reason once (the cells are too small to carry it; a viewer's is in the read-only notice).</summary>
    private IReadOnlyList<string> ChannelReasons => User.CommandRefusal is not null ? [] :
        [.. SwitchBoxView.Channels.Select(c => Box.Refusal(SwitchBoxCommand.Switch(c, !Box.EnabledChannels.Contains(c)))).OfType<string>().Distinct()];

    private async Task SendAsync(SwitchBoxCommand command)
    {
        Refusal = await Commands.SendAsync(command.ToString(), SwitchBoxTopics.Command, command.ToString());
        Load();
    }

    private static string OnOff(bool? on) => on switch { true => "on", false => "off", _ => "—" };

    /// <summary>The colour of a switch box state (its wire name).</summary>
    internal static Color StateColour(string state) => state switch
    {
        "HV_ON" => Color.Warning,
        "LV_ON" => Color.Success,
        "LV_OFF" => Color.Default,
        "ERROR" => Color.Error,
        _ => Color.Dark,
    };
}
