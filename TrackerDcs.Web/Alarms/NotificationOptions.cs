namespace TrackerDcs.Web.Alarms;

/// <summary>Section "Notifications": where major alarms are sent besides alarms/events. Empty: nowhere else.</summary>
public sealed class NotificationOptions
{
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
    public double RepeatAfterMinutes { get; set; } = 30;
    /// <summary>At most this many notifications per hour in all; the rest are counted in the log.</summary>
    public int MaxPerHour { get; set; } = 20;
}
