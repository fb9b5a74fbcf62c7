using System.Net;
using System.Text.Json;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Alarms;

/// <summary>Major alarms to a webhook (an HTTP listener) and by e-mail (Python's smtpd), rate-limited; the heartbeat.</summary>
public sealed class NotificationTests
{
    [Fact]
    public async Task A_major_alarm_is_posted_and_mailed_once_and_a_repeat_is_suppressed()
    {
        var webhookPort = FreePort.Tcp();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{webhookPort}/hook/");
        listener.Start();
        var posts = new List<JsonElement>();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
                    lock (posts) posts.Add(body);
                }
                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        });

        var smtpPort = FreePort.Tcp();
        var smtpInfo = new System.Diagnostics.ProcessStartInfo("python3", ["-u", "-W", "ignore", "-m", "smtpd", "-n", "-c", "DebuggingServer", $"127.0.0.1:{smtpPort}"])
        { RedirectStandardOutput = true, UseShellExecute = false };
        using var smtpd = System.Diagnostics.Process.Start(smtpInfo)!;
        var mail = new System.Text.StringBuilder();
        smtpd.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (mail) mail.AppendLine(e.Data); };
        smtpd.BeginOutputReadLine();
        try
        {
            await using var stand = new StandProcess(new Dictionary<string, string>
            {
                ["Notifications:WebhookUrl"] = $"http://127.0.0.1:{webhookPort}/hook/",
                ["Notifications:SmtpHost"] = "127.0.0.1",
                ["Notifications:SmtpPort"] = smtpPort.ToString(),
                ["Notifications:To:0"] = "shifter@lab.example",
                ["Julabo:PollPeriod"] = "00:00:00.300",
                ["Julabo:CommandInterval"] = "00:00:00.020",
            });
            await stand.StartAsync();
            for (var round = 0; round < 2; round++)
            {
                await stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
                await WaitFor(() => AlarmKeys(stand).Result.Contains("julabo.fault:julabo"), "the alarm raised");
                await stand.PostAsAdminAsync("/api/simulator/julabo/clear");
                await WaitFor(() => !AlarmKeys(stand).Result.Contains("julabo.fault:julabo"), "the alarm cleared (latched)");
            }
            await WaitFor(() => { lock (posts) return posts.Count >= 1; }, "the webhook");
            await WaitFor(() => { lock (mail) return mail.ToString().Contains("Subject: [TrackerDcs] chiller reports -07"); }, "the e-mail");
            await Task.Delay(1000);
            lock (posts)
            {
                var post = Assert.Single(posts); // the second raise came within RepeatAfterMinutes
                Assert.Equal("julabo.fault:julabo", post.GetProperty("key").GetString());
                Assert.Contains("LOW LIQUID LEVEL", post.GetProperty("text").GetString());
            }
            Assert.Contains("Notification of julabo.fault:julabo suppressed", stand.Log);

            var heartbeat = await Mosquitto.SubAsync(stand.MqttPort, [.. Mosquitto.Auth("admin", StandProcess.AdminPassword), "-t", "dcs/heartbeat", "-C", "1", "-W", "10"]);
            Assert.Contains("\"state\":\"online\"", heartbeat.Stdout);
            await stand.StopAsync();
        }
        finally
        {
            listener.Stop();
            smtpd.Kill();
            await smtpd.WaitForExitAsync();
            await serving;
        }
    }

    private static async Task<HashSet<string>> AlarmKeys(StandProcess stand)
    {
        using var client = stand.HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"https://localhost:{stand.HttpsPort}/api/alarms");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"admin:{StandProcess.AdminPassword}")));
        var list = JsonDocument.Parse(await (await client.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
        // A chiller fault latches when it clears: it stays listed with its clearing time until acknowledged.
        return list.EnumerateArray().Where(a => a.GetProperty("cleared").ValueKind == JsonValueKind.Null)
            .Select(a => a.GetProperty("key").GetString()!).ToHashSet();
    }

    private static async Task WaitFor(Func<bool> condition, string what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(200))
            if (condition()) return;
        throw new TimeoutException($"never saw {what}");
    }
}
