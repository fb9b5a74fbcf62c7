using TrackerDcs.Web.Devices;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.History;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>One channel: every reading and setting the crate reports, its configuration, and V and I history.</summary>
public partial class ChannelPage
{
    /// <summary>LV and HV, each voltage and current on the chart's two axes.</summary>
    private IReadOnlyList<(string Title, IReadOnlyList<string> Signals)> Charts =>
    [
        ("LV", [Signal("lv_vMon"), Signal("lv_iMon")]),
        ("HV", [Signal("hv_vMon"), Signal("hv_iMon")]),
    ];

    private string Signal(string field) => new History.SignalId("channels", field, [new("id", Id)]).Key;

    [Inject] private IDeviceView<CaenView> Caen { get; set; } = default!;

    [Parameter] public string Id { get; set; } = "";

    private CaenChannelView? Row { get; set; }
    private IReadOnlyList<(string Key, string Value)> Readings { get; set; } = [];
    private IReadOnlyList<(string Key, string Value)> Configured { get; set; } = [];
    private string Source { get; set; } = "";

    protected override PanelTopic Topics => PanelTopic.Caen;

    protected override void OnParametersSet() => Load();

    protected override void Load()
    {
        var crate = Caen.View;
        Source = Path.GetFileName(crate.MapSource);
        Row = crate.Channel(Id);
        // Every field the driver publishes, as dcs/channels carries it.
        Readings = Row is null ? [] :
        [
            ("lv_board", $"{Row.Lv.Board}"), ("lv_channel", $"{Row.Lv.Channel}"), ("hv_board", $"{Row.Hv.Board}"), ("hv_channel", $"{Row.Hv.Channel}"),
            .. Row.Fields.Select(f => (f.Key, f.Whole ? ((long)f.Value).ToString(CultureInfo.InvariantCulture) : f.Value.ToString("0.####", CultureInfo.InvariantCulture))),
        ];
        Configured = Row is null ? [] : [.. Row.Settings.Select(s => (s.Key, Text(s.Value)))];
    }

    private static string Text(object? value) => value switch
    {
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        null => "—",
        _ => value.ToString() ?? "—",
    };
}
