using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Security;

/// <summary>
/// The HTTP side of the real process, with curl and HttpClient: who may open the panel, what a bad request is
/// answered, the audit API's pages, the headers and cookies, the HTTP port, /readyz, the data directory's modes,
/// and the MQTT commands whose answers the HTTP API shows (bounded echoes, payloads of no-payload commands, viewers).
/// </summary>
public sealed partial class HttpHardeningTests(HttpHardeningTests.Stand fixture) : IClassFixture<HttpHardeningTests.Stand>
{
    private const string ViewerPassword = "viewer-password";
    private const string DevicePassword = "device-password";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly StandProcess _stand = fixture.Process;
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private static readonly string[] Viewer = Mosquitto.Auth("victor", ViewerPassword);

    /// <summary>One stand for the class, with a viewer and a device account, and a home of its own (no old cookie keys).</summary>
    public sealed class Stand : IAsyncLifetime
    {
        public StandProcess Process { get; } = new();

        public async Task InitializeAsync()
        {
            Process.ExtraEnvironment["HOME"] = Directory.CreateDirectory(Path.Combine(Process.Directory, "home")).FullName;
            await Process.StartAsync();
            await Process.AddUserAsync("victor", "viewer", ViewerPassword);
            await Process.AddUserAsync("esp01", "device", DevicePassword, "ESP01/");
        }

        public async Task DisposeAsync() => await Process.DisposeAsync();
    }

    private string Https(string path) => $"https://localhost:{_stand.HttpsPort}{path}";

    private async Task<HttpResponseMessage> GetAsync(string path, string? user = null, string? password = null, string? host = null)
    {
        using var client = _stand.HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, Https(path));
        if (host is not null) request.Headers.Host = host;
        if (user is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return await client.SendAsync(request);
    }

    private Task<HttpResponseMessage> LogInAsync(HttpClient client, string name, string password, string returnUrl) =>
        PanelForm.LogInAsync(_stand, client, name, password, returnUrl);

    private HttpClient BrowserClient(CookieContainer cookies) => PanelForm.Client(_stand, cookies);

    [Theory]
    [InlineData("/audit")]
    [InlineData("/power")]
    [InlineData("/")]
    public async Task A_device_account_cannot_open_a_panel_page_with_Basic_while_a_viewer_can(string page)
    {
        var device = await GetAsync(page, "esp01", DevicePassword);
        Assert.Equal(HttpStatusCode.Forbidden, device.StatusCode);
        Assert.DoesNotContain("<table", await device.Content.ReadAsStringAsync());

        var viewer = await GetAsync(page, "victor", ViewerPassword);
        Assert.Equal(HttpStatusCode.OK, viewer.StatusCode);
    }

    [Fact]
    public async Task A_device_account_cannot_log_in_with_the_form()
    {
        var cookies = new CookieContainer();
        using var client = BrowserClient(cookies);
        var answer = await LogInAsync(client, "esp01", DevicePassword, "/power");

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.StartsWith("/login?failed=1", answer.Headers.Location!.OriginalString);
        Assert.DoesNotContain(cookies.GetAllCookies(), c => c.Name == "TrackerDcs.Panel");
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/power\n")]
    [InlineData("/\u0001")]
    public async Task A_return_url_with_a_control_character_is_not_local_and_the_login_lands_on_the_overview(string returnUrl)
    {
        var cookies = new CookieContainer();
        using var client = BrowserClient(cookies);
        var answer = await LogInAsync(client, "victor", ViewerPassword, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/", answer.Headers.Location!.OriginalString);
        Assert.Contains(cookies.GetAllCookies(), c => c.Name == "TrackerDcs.Panel");
    }

    [Theory]
    [InlineData("/api/audit?limit=abc", "limit")]
    [InlineData("/api/audit?limit=1001", "limit")]
    [InlineData("/api/audit?limit=0", "limit")]
    [InlineData("/api/audit?from=notadate", "from")]
    [InlineData("/api/audit?to=notadate", "to")]
    [InlineData("/api/audit?before=yesterday", "before")]
    [InlineData("/api/alarms/history?from=notadate", "from")]
    [InlineData("/api/alarms/history?to=soon", "to")]
    [InlineData("/api/runs?limit=abc", "limit")]
    public async Task A_bad_query_parameter_is_a_400_whose_JSON_names_it(string path, string parameter)
    {
        var answer = await GetAsync(path, "victor", ViewerPassword);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
        var body = await answer.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        Assert.Contains(parameter, json.RootElement.GetProperty("error").GetString());
        if (path.Contains("1001")) Assert.Contains("1000", body);
    }

    [Fact]
    public async Task The_audit_API_pages_at_most_1000_entries_and_links_the_next_page_until_every_entry_was_seen_once()
    {
        await using var replies = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["dcs/reply"]);
        for (var i = 0; i < 5; i++)
            Assert.False((await replies.CommandAsync(_stand.MqttPort, Admin, $"dcs/cmd/page{i}", "x", Wait)).GetProperty("ok").GetBoolean());

        var seen = new List<string>();
        var next = "/api/audit?limit=2";
        for (var pages = 0; next is not null; pages++)
        {
            Assert.True(pages < 10, "the pages never ended");
            var answer = await GetAsync(next, "victor", ViewerPassword);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            using var page = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            // The body stays the array it always was; the next page is in the Link header (RFC 8288).
            seen.AddRange(page.RootElement.EnumerateArray().Select(e => e.GetProperty("topic").GetString()!));
            next = answer.Headers.TryGetValues("Link", out var links) ? NextLink().Match(links.Single()).Groups["url"].Value : null;
        }

        Assert.Equal(Enumerable.Range(0, 5).Reverse().Select(i => $"dcs/cmd/page{i}"), seen.Where(t => t.StartsWith("dcs/cmd/page")));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [GeneratedRegex("^<(?<url>[^>]+)>; rel=\"next\"$")]
    private static partial Regex NextLink();

    [Fact]
    public async Task Answers_carry_HSTS_and_nosniff_and_every_cookie_is_Secure()
    {
        foreach (var path in new[] { "/healthz", "/login", "/api/alarms", "/api/alarms/history?from=notadate" })
        {
            // The stand as the lab reaches it, by its name.
            var answer = await GetAsync(path, "victor", ViewerPassword, host: $"tracker-stand.example:{_stand.HttpsPort}");
            Assert.True(answer.Headers.TryGetValues("Strict-Transport-Security", out var hsts), $"no HSTS on {path}");
            Assert.Equal("max-age=31536000", hsts!.Single());
            Assert.Equal("nosniff", Assert.Single(answer.Headers.GetValues("X-Content-Type-Options")));
        }
        // Not for a loopback name: it would bind every localhost service of the browser.
        var local = await GetAsync("/healthz");
        Assert.False(local.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal("nosniff", Assert.Single(local.Headers.GetValues("X-Content-Type-Options")));

        var cookies = new CookieContainer();
        using var client = BrowserClient(cookies);
        var form = await client.GetAsync(Https("/login"));
        var login = await LogInAsync(client, "victor", ViewerPassword, "/");
        var setCookies = form.Headers.GetValues("Set-Cookie").Concat(login.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(setCookies, c => c.StartsWith(".AspNetCore.Antiforgery"));
        Assert.Contains(setCookies, c => c.StartsWith("TrackerDcs.Panel"));
        Assert.All(setCookies, c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_HTTP_port_redirects_without_checking_the_credentials_it_was_sent()
    {
        // Seven wrong passwords for admin over http://: were they checked, admin would be locked out (five are free).
        for (var i = 0; i < 7; i++)
        {
            var curl = await ProcessRunner.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-u", $"admin:wrong-{i}",
                $"http://127.0.0.1:{_stand.HttpPort}/api/audit?limit=1"]);
            Assert.Equal($"307 https://127.0.0.1:{_stand.HttpsPort}/api/audit?limit=1", curl.Stdout.Trim());
        }

        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/audit?limit=1", "admin", StandProcess.AdminPassword)).StatusCode);
        Assert.DoesNotContain("Repeated failed logins", _stand.Log);
    }

    [Fact]
    public async Task Readyz_without_a_login_says_only_ready_or_not_and_the_report_needs_one()
    {
        await _stand.WaitReadyAsync();
        var curl = await ProcessRunner.RunAsync("curl", ["-sS", "-w", " %{http_code}", "--cacert", _stand.CertificatePem, Https("/readyz")]);
        Assert.Equal("ready 200", curl.Stdout.Trim());

        var device = await GetAsync("/readyz", "esp01", DevicePassword);
        Assert.Equal("ready", await device.Content.ReadAsStringAsync());

        var (status, report) = await _stand.ReadinessAsync();
        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(report);
        Assert.True(json.RootElement.GetProperty("components").GetProperty("broker").TryGetProperty("mqtt", out _));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_data_directory_is_the_owners_only_and_so_are_the_database_the_retained_messages_and_the_cookie_keys()
    {
        // Something retained, so the retained journal is written (before the PUBACK); a login, so a cookie-signing key exists.
        Assert.Equal(0, (await Mosquitto.PubAsync(_stand.MqttPort, [.. Admin, "-q", "1", "-r", "-t", "lab/retained", "-m", "kept"])).ExitCode);
        using (var client = BrowserClient(new CookieContainer())) await LogInAsync(client, "victor", ViewerPassword, "/");
        var data = _stand.DataDirectory;
        var retained = Path.Combine(data, "retained");

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(Private | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(data, "trackerdcs.db")));
        Assert.Equal(Private | UnixFileMode.UserExecute, File.GetUnixFileMode(retained));
        Assert.NotEmpty(Directory.GetFiles(retained, "journal.*"));
        Assert.All(Directory.GetFiles(retained), file => Assert.Equal(Private, File.GetUnixFileMode(file)));
        var keys = Path.Combine(data, "keys");
        Assert.Equal(Private | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
        Assert.NotEmpty(Directory.GetFiles(keys, "key-*.xml"));
        Assert.All(Directory.GetFiles(keys), key => Assert.Equal(Private, File.GetUnixFileMode(key)));
    }

    [Fact]
    public async Task A_1_MB_payload_is_answered_and_audited_cut_to_its_bound_with_its_length()
    {
        await using var replies = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["julabo/reply"]);
        var file = Path.Combine(_stand.Directory, "one-megabyte.txt");
        await File.WriteAllTextAsync(file, new string('x', 1_000_000));
        var pub = await Mosquitto.PubAsync(_stand.MqttPort, [.. Admin, "-q", "1", "-t", "julabo/cmd/setWT", "-f", file]);
        Assert.Equal(0, pub.ExitCode);

        var reply = await replies.WaitOnAsync("julabo/reply", r => r.Contains("julabo/cmd/setWT"), Wait, "the reply to the 1 MB setWT");
        Assert.InRange(reply.Length, 1, 1000);
        Assert.Contains("payload is not JSON", reply);

        using var audit = JsonDocument.Parse(await _stand.GetAsAdminAsync("/api/audit?limit=10"));
        var row = audit.RootElement.EnumerateArray().First(e => e.GetProperty("topic").GetString() == "julabo/cmd/setWT");
        Assert.EndsWith("…(1000000 bytes)", row.GetProperty("payload").GetString());
        Assert.InRange(row.GetProperty("payload").GetString()!.Length, 4096, 4200);
        Assert.InRange(row.GetProperty("result").GetString()!.Length, 1, 1000);
    }

    [Theory]
    [InlineData("julabo/cmd/useInt", """{"nonsense":true}""", """useInt takes no payload, got '{"nonsense":true}'""")]
    [InlineData("dcs/cmd/refresh", "garbage", "refresh takes no payload, got 'garbage'")]
    [InlineData("dcs/cmd/clear", "all", "clear takes no payload, got 'all'")]
    [InlineData("alarms/cmd/shelve", """{"key":"caen.trip:0/hv","minutes":1e308,"reason":"x"}""", "at most 7 days (10080 minutes), got 1E+308 minutes")]
    public async Task A_payload_a_command_does_not_take_is_refused_naming_it(string topic, string payload, string error)
    {
        var device = topic.Split('/')[0];
        await using var replies = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, [$"{device}/reply"]);

        var reply = await replies.CommandAsync(_stand.MqttPort, Admin, topic, payload, Wait);

        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Contains(error, reply.GetProperty("error").GetString());
        Assert.DoesNotContain("   at ", _stand.Log);
    }

    [Fact]
    public async Task A_refused_command_with_a_60_KB_topic_is_logged_and_audited_cut()
    {
        var topic = "dcs/cmd/" + new string('t', 60_000);
        Assert.Equal(0, (await Mosquitto.PubAsync(_stand.MqttPort, [.. Viewer, "-q", "1", "-t", topic, "-m", "on"])).ExitCode);

        await Eventually.True(() => _stand.Log.Contains("…(60008 bytes)"), "the refusal's log line");
        Assert.All(_stand.Log.Split('\n'), line => Assert.InRange(line.Length, 0, 5000));
        using var audit = JsonDocument.Parse(await _stand.GetAsAdminAsync("/api/audit?limit=10"));
        var row = audit.RootElement.EnumerateArray().First(e => e.GetProperty("user").GetString() == "victor");
        Assert.EndsWith("…(60008 bytes)", row.GetProperty("topic").GetString());
    }

    [Fact]
    public async Task A_viewer_sends_the_read_only_conditions_command_and_no_other()
    {
        await using var replies = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Viewer, ["ph2acf/reply"]);

        var conditions = await replies.CommandAsync(_stand.MqttPort, Viewer, "ph2acf/cmd/conditions", """{"run":424242}""", Wait);
        Assert.DoesNotContain("may not", conditions.GetRawText());

        var start = await replies.CommandAsync(_stand.MqttPort, Viewer, "ph2acf/cmd/start", """{"calibration":"pedestal"}""", Wait);
        Assert.Equal("role viewer may not send commands", start.GetProperty("error").GetString());
    }
}
