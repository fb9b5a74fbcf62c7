using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// The loaded procedures with a form from their parameters (type, unit, bounds, default), start, pause, resume and
/// abort through the command bus (the same checks, authorization and audit as procedures/cmd/… over MQTT), the
/// running one's step, progress and time left from procedures/status, its log, and the history of runs.
/// </summary>
public partial class Procedures
{
    [Inject] private ProcedureFeed ProcedureFeed { get; set; } = default!;
    [Inject] private ProcedureCatalog Catalog { get; set; } = default!;
    [Inject] private IProcedureRunStore Store { get; set; } = default!;
    [Inject] private IDeviceView<CaenView> Caen { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private PanelCommands Commands { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    private PanelUser User { get; set; } = PanelUser.Nobody;
    private string? Selected { get; set; }
    private Dictionary<string, double> Values { get; set; } = [];
    private IReadOnlyCollection<string> Modules { get; set; } = [];
    private string? Comment { get; set; }
    private string? Refusal { get; set; }
    private JsonObject Status { get; set; } = new();
    private IReadOnlyList<(long TimeMs, string Line)> LogLines { get; set; } = [];
    private IReadOnlyList<ProcedureRunDocument> History { get; set; } = [];

    private Procedure? Chosen => Selected is null ? null : Catalog.Find(Selected);
    private IEnumerable<string> KnownModules => Caen.View.Modules;
    private string State => Status["state"]?.ToString() ?? "idle";
    /// <summary>A run holds the stand while it runs, is paused, or runs its on_abort steps.</summary>
    private bool Going => State is "running" or "paused" or "aborting";

    private string? StartRefusal => User.CommandRefusal
        ?? (Going ? $"run {Status["run"]} is going; one procedure at a time"
            : Chosen is null ? "choose a procedure" : null);
    private string? PauseRefusal => User.CommandRefusal ?? (State == "running" ? null : "no procedure is running");
    private string? ResumeRefusal => User.CommandRefusal ?? (State == "paused" ? null : "no procedure is paused");
    private string? AbortRefusal => User.CommandRefusal ?? (State is "running" or "paused" ? null : "no procedure is running");

    protected override PanelTopic Topics => PanelTopic.Procedures;

    protected override async Task OnInitializedAsync()
    {
        User = await Session.UserAsync();
        LoadHistory();
    }

    protected override void Load()
    {
        Status = ProcedureFeed.Status;
        LogLines = ProcedureFeed.Log;
    }

    protected override void Reload(PanelTopic changed)
    {
        var wasGoing = Going;
        Load();
        // A run that starts or ends changes the history.
        if (wasGoing != Going) LoadHistory();
    }

    private void LoadHistory() => History = Store.List(50);

    private void Select(string name)
    {
        Selected = name;
        // The form starts from the procedure's defaults.
        Values = Chosen?.Parameters.ToDictionary(p => p.Name, p => p.Default) ?? [];
    }

    private async Task StartAsync()
    {
        var payload = new JsonObject
        {
            ["name"] = Selected,
            ["params"] = new JsonObject([.. Values.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value))]),
            ["modules"] = new JsonArray([.. Modules.Select(m => (JsonNode?)m)]),
            ["comment"] = Comment ?? "",
        };
        await SendAsync("start", $"Start {Selected}", payload.ToJsonString());
    }

    private async Task AbortAsync()
    {
        // An abort ends the run: its on_abort steps switch the stand off. Cancel is the default (focused) answer.
        var confirmed = await ConfirmDialog.AskAsync(Dialogs, $"Abort run {Status["run"]}?",
            $"{Status["procedure"]} ends failed; its on_abort steps bring the stand to a safe state (by default HV off, then LV off).",
            "Abort the run", confirmColour: MudBlazor.Color.Error);
        if (confirmed) await SendAsync("abort", "Abort");
    }

    private async Task SendAsync(string command, string label, string payload = "")
    {
        Refusal = await Commands.SendAsync(label, $"{ProcedureRunner.Root}/cmd/{command}", payload);
        LoadHistory();
    }

    private double Number(string key) =>
        double.TryParse(Status[key]?.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;

    internal static string Label(ProcedureParameter p) => p.Unit is "" ? p.Name : $"{p.Name} ({p.Unit})";

    internal static string Bounds(ProcedureParameter p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.Min} … {p.Max}{(p.Unit is "" ? "" : " " + p.Unit)}, default {p.Default}{(p.Type == ParameterType.Integer ? ", whole" : "")}{(p.Description is "" ? "" : " · " + p.Description)}");

    internal static Color StateColour(string state) => state switch
    {
        "running" => Color.Info,
        "paused" => Color.Warning,
        "aborting" => Color.Warning,
        "finished" => Color.Success,
        "failed" => Color.Error,
        _ => Color.Default,
    };
}
