using TrackerDcs.Web.Devices;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Runs;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// Start and stop calibrations through the command bus (the same checks and preconditions as
/// ph2acf/cmd/start over MQTT), the live status and log, and the history of runs.
/// </summary>
public partial class Runs
{
    [Inject] private RunFeed RunFeed { get; set; } = default!;
    [Inject] private RunController Controller { get; set; } = default!;
    [Inject] private RunsOptions Options { get; set; } = default!;
    [Inject] private IDeviceView<CaenView> Caen { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private PanelCommands Commands { get; set; } = default!;

    private PanelUser User { get; set; } = PanelUser.Nobody;
    [Inject] private RunDraft Draft { get; set; } = default!;
    private string? Calibration { get => Draft.Calibration; set => Draft.Calibration = value; }
    private IReadOnlyCollection<string> Modules { get => Draft.Modules; set => Draft.Modules = value; }
    private string? Comment { get => Draft.Comment; set => Draft.Comment = value; }
    private string? Refusal { get; set; }
    private JsonObject Status { get; set; } = new();
    private IReadOnlyList<string> LogLines { get; set; } = [];
    private IReadOnlyList<RunDocument> History { get; set; } = [];

    private IEnumerable<string> Calibrations => Options.Calibrations.Keys.Order();
    private IEnumerable<string> KnownModules => Caen.View.Modules;
    private string State => Status["state"]?.ToString() ?? "idle";
    private double Progress => double.TryParse(Status["progress"]?.ToString(), CultureInfo.InvariantCulture, out var p) ? p : 0;

    private Color StateColour => State switch
    {
        "running" => Color.Info,
        "finished" => Color.Success,
        "failed" => Color.Error,
        "stopped" => Color.Warning,
        _ => Color.Default,
    };

    private string? StartRefusal => User.CommandRefusal
        ?? (State == "running" ? "a run is going; stop it first"
            : Calibration is null ? "choose a calibration"
            : !Modules.Any() ? "choose the modules" : null);

    private string? StopRefusal => User.CommandRefusal ?? (State == "running" ? null : "no run is going");

    protected override PanelTopic Topics => PanelTopic.Runs;

    protected override async Task OnInitializedAsync()
    {
        User = await Session.UserAsync();
        await LoadHistoryAsync();
    }

    protected override void Load()
    {
        Status = RunFeed.Status;
        LogLines = RunFeed.Log;
    }

    protected override void Reload(PanelTopic changed)
    {
        var wasRunning = State == "running";
        Load();
        if (wasRunning != (State == "running")) _ = InvokeAsync(async () => { await LoadHistoryAsync(); StateHasChanged(); });
    }

    private async Task LoadHistoryAsync() => History = await Controller.Store.ListAsync(50);

    private Task StartAsync()
    {
        var payload = new JsonObject
        {
            ["calibration"] = Calibration,
            ["modules"] = new JsonArray([.. Modules.Select(m => (JsonNode?)m)]),
            ["comment"] = Comment ?? "",
        };
        return SendAsync("start", payload.ToJsonString(), $"Start {Calibration}");
    }

    private Task StopAsync() => SendAsync("stop", "", "Stop the run");

    private async Task SendAsync(string command, string payload, string label)
    {
        Refusal = await Commands.SendAsync(label, $"{RunController.Root}/cmd/{command}", payload);
        await LoadHistoryAsync();
    }

    private static string Duration(RunDocument run) =>
        run.EndMs is { } end ? $"{(end - run.StartMs) / 1000.0:0.0} s" : "…";
}
