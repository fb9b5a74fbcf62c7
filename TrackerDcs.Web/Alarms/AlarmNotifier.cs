using TrackerDcs.Web.Common;
using System.Net;
using System.Net.Mail;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace TrackerDcs.Web.Alarms;

/// <summary>
/// Sends major alarms to a webhook and by e-mail when configured, rate-limited per alarm and per hour.
/// Off the alarm path: a slow mail server never delays the evaluation, and a failure is logged, not thrown.
/// </summary>
public sealed class AlarmNotifier : BackgroundService
{
    private readonly NotificationOptions _options;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly ILogger<AlarmNotifier> _log;
    private readonly Channel<Alarm> _queue = Channel.CreateBounded<Alarm>(new BoundedChannelOptions(100) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Dictionary<string, DateTimeOffset> _lastByKey = [];
    private readonly Queue<DateTimeOffset> _lastHour = new();

    public AlarmNotifier(NotificationOptions options, AlarmManager alarms, IHttpClientFactory http, TimeProvider time, ILogger<AlarmNotifier> log)
    {
        _options = options;
        _http = http;
        _time = time;
        _log = log;
        if (Enabled) alarms.Raised += alarm => { if (alarm.Severity == AlarmSeverity.Major) _queue.Writer.TryWrite(alarm); };
    }

    private bool Enabled => _options.WebhookUrl.Length > 0 || (_options.SmtpHost.Length > 0 && _options.To.Count > 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var alarm in _queue.Reader.ReadAllAsync(stoppingToken))
                if (Allowed(alarm)) await SendAsync(alarm, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private bool Allowed(Alarm alarm)
    {
        var now = _time.GetUtcNow();
        if (_lastByKey.TryGetValue(alarm.Key, out var last) && now - last < _options.RepeatAfter)
        {
            _log.LogInformation("Notification of {Key} suppressed: already sent at {Last:HH:mm:ss}", alarm.Key, last);
            return false;
        }
        while (_lastHour.Count > 0 && now - _lastHour.Peek() > TimeSpan.FromHours(1)) _lastHour.Dequeue();
        if (_lastHour.Count >= _options.MaxPerHour)
        {
            _log.LogWarning("Notification of {Key} suppressed: {Max} notifications in the last hour", alarm.Key, _options.MaxPerHour);
            return false;
        }
        _lastByKey[alarm.Key] = now;
        _lastHour.Enqueue(now);
        return true;
    }

    private async Task SendAsync(Alarm alarm, CancellationToken ct)
    {
        var text = $"[TrackerDcs] {alarm.Severity.ToString().ToUpperInvariant()}: {alarm.Message}\n{alarm.Guidance}";
        if (_options.WebhookUrl.Length > 0)
        {
            try
            {
                var body = AlarmManager.ToJson(alarm);
                body["text"] = text;
                using var response = await _http.CreateClient(nameof(AlarmNotifier)).PostAsync(_options.WebhookUrl,
                    new StringContent(body.ToJsonString(Json.Options), System.Text.Encoding.UTF8, "application/json"), ct);
                if (!response.IsSuccessStatusCode) _log.LogWarning("Webhook for {Key} answered {Status}", alarm.Key, (int)response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                _log.LogWarning("Webhook for {Key} failed: {Error}", alarm.Key, e.Message);
            }
        }
        if (_options.SmtpHost.Length > 0 && _options.To.Count > 0)
        {
            try
            {
                using var smtp = new SmtpClient(_options.SmtpHost, _options.SmtpPort) { EnableSsl = _options.SmtpTls };
                if (_options.SmtpUser.Length > 0) smtp.Credentials = new NetworkCredential(_options.SmtpUser, _options.SmtpPassword);
                using var mail = new MailMessage { From = new MailAddress(_options.From), Subject = $"[TrackerDcs] {alarm.Message}", Body = text };
                foreach (var to in _options.To) mail.To.Add(to);
                await smtp.SendMailAsync(mail, ct);
            }
            catch (Exception e) when (e is SmtpException or InvalidOperationException or FormatException)
            {
                _log.LogWarning("E-mail for {Key} failed: {Error}", alarm.Key, e.Message);
            }
        }
    }
}
