using System.Globalization;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Panel.Services;

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

    private string Signal(string field) => new Trends.SignalId("channels", field, [new("id", Id)]).Key;

    [Inject] private CaenService Caen { get; set; } = default!;

    [Parameter] public string Id { get; set; } = "";

    private ChannelRow? Row { get; set; }
    private IReadOnlyList<(string Key, string Value)> Readings { get; set; } = [];
    private IReadOnlyList<(string Key, string Value)> Configured { get; set; } = [];
    private string Source { get; set; } = "";

    protected override PanelTopic Topics => PanelTopic.Caen;

    protected override void OnParametersSet() => Load();

    protected override void Load()
    {
        var controller = Caen.Controller;
        Source = Path.GetFileName(controller.Map.Source);
        Row = controller.Readings().FirstOrDefault(r => r.Config.Id == Id) is { } reading ? PowerView.Row(reading) : null;
        // Every field the driver publishes, as dcs/channels carries it.
        var json = controller.ChannelsJson().FirstOrDefault(c => (string?)c["id"] == Id);
        Readings = json is null ? [] : [.. json.Where(kv => kv.Key is not ("id" or "module" or "fsm_state")).Select(kv => (kv.Key, Reading(kv.Value)))];
        var config = controller.Map.Find(Id);
        Configured = config is null ? [] :
        [
            .. typeof(Hardware.Caen.LvSettings).GetProperties().Select(p => ($"lv.{Camel(p.Name)}", Text(p.GetValue(config.Lv)))),
            .. typeof(Hardware.Caen.HvSettings).GetProperties().Select(p => ($"hv.{Camel(p.Name)}", Text(p.GetValue(config.Hv)))),
        ];
    }

    private static string Reading(System.Text.Json.Nodes.JsonNode? value) =>
        value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<double>(out var d) ? d.ToString("0.####", CultureInfo.InvariantCulture)
        : value?.ToJsonString() ?? "—";

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static string Text(object? value) => value switch
    {
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        null => "—",
        _ => value.ToString() ?? "—",
    };
}
