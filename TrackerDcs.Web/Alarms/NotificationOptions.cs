using System.Net.Mail;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Alarms;

/// <summary>Section "Notifications": where major alarms are sent besides alarms/events. Empty: nowhere else.</summary>
public sealed class NotificationOptions : ISettingsSection
{
    public static string Section => "Notifications";
    public static IReadOnlyList<(string Old, string New)> Renamed => [(nameof(RepeatAfterMinutes), nameof(RepeatAfter))];

    /// <summary>POSTed a JSON object per major alarm (Mattermost/Slack-style incoming webhooks accept "text").</summary>
    public string WebhookUrl { get; set; } = "";
    public string SmtpHost { get; set; } = "";
    public int SmtpPort { get; set; } = 25;
    public bool SmtpTls { get; set; }
    public string SmtpUser { get; set; } = "";
    public string SmtpPassword { get; set; } = "";
    public string From { get; set; } = "trackerdcs@localhost";
    public List<string> To { get; set; } = [];
    /// <summary>The same alarm is not notified again within this time (a flapping condition does not storm).</summary>
    public TimeSpan RepeatAfter { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Renamed to <see cref="RepeatAfter"/>; still read from older settings files.</summary>
    public double? RepeatAfterMinutes { get; set; }
    /// <summary>At most this many notifications per hour in all; the rest are counted in the log.</summary>
    public int MaxPerHour { get; set; } = 20;

    public IEnumerable<SettingsProblem> Problems()
    {
        if (WebhookUrl.Length > 0 && !(Uri.TryCreate(WebhookUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
            yield return new("Notifications:WebhookUrl", $"'{WebhookUrl}' is not an http(s) URL");
        if (SmtpPort is < 1 or > 65535) yield return new("Notifications:SmtpPort", $"{SmtpPort} is not a port");
        if (!MailAddress.TryCreate(From, out _)) yield return new("Notifications:From", $"'{From}' is not an e-mail address");
        for (var i = 0; i < To.Count; i++)
            if (!MailAddress.TryCreate(To[i], out _)) yield return new($"Notifications:To:{i}", $"'{To[i]}' is not an e-mail address");
        if (RepeatAfter < TimeSpan.Zero) yield return new("Notifications:RepeatAfter", $"{RepeatAfter} must not be negative");
        if (MaxPerHour < 1) yield return new("Notifications:MaxPerHour", $"{MaxPerHour} must be positive");
    }
}
