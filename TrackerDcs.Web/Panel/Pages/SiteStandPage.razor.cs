using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.History;
using TrackerDcs.Web.Site;
using TrackerDcs.Web.Trends;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// One stand's page at the site instance (/site/&lt;stand&gt;): its summary and switches as on the Site page, its chiller
/// (Start, Stop), its procedure (Pause, Resume, Abort) and calibration run (Stop), every channel of its crate with set
/// points and readings, its CO2 plant's process values (as the stand's MARTA page lists them) and alarms, its switch
/// box's relays and channels, its sensor boxes' readings, its active alarms (each acknowledged from here) and recent events, all read from what its uplink mirrors (<see cref="SiteStands.Detail"/>).
/// Marked as of the last heartbeat when the stand is lost.
/// </summary>
public partial class SiteStandPage
{
    [Parameter] public string Name { get; set; } = "";

    [Inject] private SiteStands Stands { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;

    private StandDetail? Detail { get; set; }
    private PanelUser User { get; set; } = PanelUser.Nobody;

    protected override PanelTopic Topics => PanelTopic.Site;

    protected override async Task OnInitializedAsync() => User = await Session.UserAsync();

    protected override void Load() => Detail = Stands.Detail(Name);

    // A new stand name in the same page (a link from one stand's page to another's) is a new stand to read.
    protected override void OnParametersSet() => Load();

    /// <summary>Acknowledge while not acknowledged, as on the stand's Alarms page: the stand records who (site:&lt;user&gt;).</summary>
    private static IReadOnlyList<SiteAction> AlarmActions(SiteAlarm alarm) => alarm.Acknowledged ? [] :
    [
        new("Acknowledge", "alarms/cmd/ack", new JsonObject { ["key"] = alarm.Key }.ToJsonString(), $"acknowledge the alarm {alarm.Key} ({alarm.Message})"),
    ];

    /// <summary>The temperature typed for the set point in use; Set is offered once there is one.</summary>
    private double? SetpointInput { get; set; }

    /// <summary>The chiller's set point in use (1 when the stand has not said): the one the site sets, as the stand's ramps do.</summary>
    private static int UsedSetpoint(StandDetail detail) => detail.Chiller?.SetpointInUse ?? 1;

    private IReadOnlyList<SiteAction> ChillerActions(StandDetail detail) =>
    [
        .. SetpointInput is { } temp
            ? new[]
            {
                new SiteAction("Set temperature", "julabo/cmd/setWT",
                    string.Create(CultureInfo.InvariantCulture, $$"""{"setpoint":{{UsedSetpoint(detail)}},"temp":{{temp}}}"""),
                    string.Create(CultureInfo.InvariantCulture, $"set the chiller's set point {UsedSetpoint(detail)} to {temp} °C")),
            }
            : [],
        new("Start chiller", "julabo/cmd/start", "", "start the chiller"),
        new("Stop chiller", "julabo/cmd/stop", "", "stop the chiller: the bath stops circulating and cooling", Colour: Color.Error,
            Warning: Biased(detail) is { Count: > 0 } biased
                ? $"HV is on at {string.Join(", ", biased)}: the stand's interlocks may switch it off once the cooling is lost."
                : null),
    ];

    /// <summary>The modules (or channels) whose HV is on, ramping or mixed: biased, so the cooling matters.</summary>
    private static List<string> Biased(StandDetail detail) =>
        [.. detail.Channels.Where(c => c.State?.StartsWith("HV", StringComparison.Ordinal) == true).Select(c => c.Module ?? $"channel {c.Id}")];

    /// <summary>Only what applies now: Pause while it runs, Resume while paused, Abort while either; none when no procedure runs.</summary>
    private static IReadOnlyList<SiteAction> ProcedureActions(StandDetail detail) => detail.Procedure?.State switch
    {
        "running" => [Pause, Abort],
        "paused" => [Resume, Abort],
        _ => [],
    };

    private static readonly SiteAction Pause = new("Pause procedure", "procedures/cmd/pause", "", "pause the procedure: its waits stop counting until it is resumed");
    private static readonly SiteAction Resume = new("Resume procedure", "procedures/cmd/resume", "", "resume the procedure");
    private static readonly SiteAction Abort = new("Abort procedure", "procedures/cmd/abort", "",
        "abort the procedure: it ends failed, and its on_abort steps bring the stand to a safe state (by default HV off, then LV off)", Colour: Color.Error);

    private static IReadOnlyList<SiteAction> CalibrationActions(StandDetail detail) => detail.Calibration?.State == "running"
        ? [new("Stop calibration", "ph2acf/cmd/stop", "", "stop the calibration run: Ph2_ACF is ended and the run marked stopped", Colour: Color.Error)]
        : [];

    /// <summary>An alarm coming (raised, or a latched one returning) in its severity's colour; its other events are news, not alarms.</summary>
    private static Color EventColour(string what, string severity) => what is "raised" or "returned"
        ? severity == "major" ? Color.Error : Color.Warning
        : Color.Default;

    /// <summary>Rounded to <paramref name="decimals"/>; a reading that rounds to zero reads 0, not −0 (a supply that is off wobbles around it).</summary>
    private static string Value(double? value, string unit, int decimals) =>
        value is { } v ? $"{(Math.Round(v, decimals) + 0.0).ToString($"F{decimals}", CultureInfo.InvariantCulture)} {unit}" : "—";

    private static string Celsius(double? value) => Value(value, "°C", 1);

    /// <summary>A sensor box's reading with the unit the stand's Sensors page gives it (BME_temp °C, BME_humi %: StandSignals).</summary>
    private static string SensorValue(string box, string field, double value) =>
        Reading.Format(value, "0.##", Signals.Describe(new SignalId("sensors", field, [new("sensor", box)])).Unit);

    private static readonly StandSignals Signals = new();

    private static string OnOff(bool? on) => on switch { true => "on", false => "off", null => "—" };
}
