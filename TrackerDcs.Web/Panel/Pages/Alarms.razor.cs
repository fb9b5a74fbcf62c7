using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// The active alarms with their guidance, acknowledge and shelve for operators (through the command bus, so
/// audited as alarms/cmd/…), and the history of the last day. Live through the feed's Alarms topic.
/// </summary>
public partial class Alarms
{
    private sealed class ShelveForm
    {
        public int Minutes { get; set; } = 60;
        public string? Reason { get; set; }
    }

    private readonly Dictionary<string, ShelveForm> _shelve = [];

    [Inject] private AlarmManager Manager { get; set; } = default!;
    [Inject] private AlarmHistory AlarmHistory { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private PanelCommands Commands { get; set; } = default!;

    private IReadOnlyList<Alarm> Active { get; set; } = [];
    private IReadOnlyList<Alarm> Unacknowledged => [.. Active.Where(a => a.Acknowledged is null)];
    private IReadOnlyList<AlarmHistory.Entry> History { get; set; } = [];
    private PanelUser User { get; set; } = PanelUser.Nobody;
    private string? Refusal { get; set; }

    protected override PanelTopic Topics => PanelTopic.Alarms;

    protected override async Task OnInitializedAsync() => User = await Session.UserAsync();

    protected override void Load()
    {
        Active = Manager.Active;
        var now = DateTimeOffset.UtcNow;
        History = AlarmHistory.Query(now.AddDays(-1), now.AddMinutes(1), 200);
    }

    private ShelveForm Shelve(string key) => _shelve.TryGetValue(key, out var form) ? form : _shelve[key] = new ShelveForm();

    private static string KeyPayload(string key) => new JsonObject { ["key"] = key }.ToJsonString();

    private Task ShelveAsync(string key)
    {
        var form = Shelve(key);
        var payload = new JsonObject { ["key"] = key, ["minutes"] = form.Minutes, ["reason"] = form.Reason };
        return SendAsync("shelve", payload.ToJsonString(), $"Shelve {key}");
    }

    /// <summary>The alarms on screen, not the ones raised since: a shifter acknowledges only what they have read.</summary>
    private Task AcknowledgeAllAsync()
    {
        var payload = new JsonObject { ["keys"] = new JsonArray([.. Unacknowledged.Select(a => (JsonNode)a.Key)]) };
        return SendAsync("ack_all", payload.ToJsonString(), $"Acknowledge {Unacknowledged.Count} alarms");
    }

    private async Task SendAsync(string command, string payload, string label)
    {
        Refusal = await Commands.SendAsync(label, $"alarms/cmd/{command}", payload);
        Load();
    }

}
