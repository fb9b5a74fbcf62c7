using System.Text.Json;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Runs;

/// <summary>
/// The real process for run tests: simulated crate with fast ramps, simulated chiller with a short time
/// constant, calibrations of the fake Ph2_ACF, and one mosquitto_sub recording every message of ph2acf/#, procedures/#,
/// dcs/status, dcs/reply, julabo/status and julabo/reply, so a test can wait for what followed an action.
/// </summary>
public sealed class RunStand : IAsyncDisposable
{
    public static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly List<(string Topic, string Payload)> _messages = [];
    private MosquittoSubscriber _subscriber = null!;
    private Task _pump = Task.CompletedTask;
    private CancellationTokenSource _stop = new();

    private const string Channels = """
        name: dcs
        channels:
          "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }
          "1": { module: module_1, lv: { board: 0, chan: 1 }, hv: { board: 12, chan: 1 } }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 100., maxI: 500., rampUpSpeed: 200., rampDwnSpeed: 200., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low }
        """;

    private RunStand(StandProcess stand, string channelsFile)
    {
        Stand = stand;
        ChannelsFile = channelsFile;
    }

    public StandProcess Stand { get; }
    public string ChannelsFile { get; }

    /// <summary>A fake Ph2_ACF calibration as settings: `TrackerDcs fake-ph2acf --run {run} --out {out} …`.</summary>
    public static Dictionary<string, string> Calibration(string name, string[] fakeArguments, string timeout = "00:01:00", string crateState = "")
    {
        var key = $"Runs:Calibrations:{name}";
        var settings = new Dictionary<string, string>
        {
            [$"{key}:Executable"] = "{trackerdcs}",
            [$"{key}:Timeout"] = timeout,
            [$"{key}:CrateState"] = crateState,
            [$"{key}:ResultFiles:0"] = "Results_Run*.txt",
            [$"{key}:ResultFiles:1"] = "Hist_Run*.root",
        };
        string[] arguments = ["fake-ph2acf", "--run", "{run}", "--out", "{out}", "--modules", "{modules}", .. fakeArguments];
        for (var i = 0; i < arguments.Length; i++) settings[$"{key}:Arguments:{i}"] = arguments[i];
        return settings;
    }

    public static async Task<RunStand> StartAsync(Dictionary<string, string> settings, string? directory = null)
    {
        directory ??= Directory.CreateTempSubdirectory("trackerdcs-runs-").FullName;
        var channels = Path.Combine(directory, "channels.yml");
        await File.WriteAllTextAsync(channels, Channels);
        var all = new Dictionary<string, string>
        {
            ["Caen:ChannelsFile"] = channels,
            ["Caen:PublishPeriodSeconds"] = "1",
            ["Julabo:PollPeriod"] = "00:00:00.300",
            ["Julabo:CommandInterval"] = "00:00:00.020",
            ["Julabo:SimulatedTimeConstant"] = "00:00:00.500",
            ["Runs:StopGracePeriod"] = "00:00:01",
        };
        foreach (var (k, v) in settings) all[k] = v;
        var stand = new RunStand(new StandProcess(all, directory), channels);
        await stand.Stand.StartAsync();
        await stand.SubscribeAsync();
        return stand;
    }

    /// <summary>Restarts the process on the same data directory (SIGTERM, then start again).</summary>
    public async Task RestartAsync()
    {
        await StopSubscriberAsync();
        await Stand.StopAsync();
        await Stand.StartAsync();
        await SubscribeAsync();
    }

    /// <summary>SIGKILL to the process alone (what it started lives on, as after a crash); then <paramref name="meanwhile"/>, and start again.</summary>
    public async Task CrashAndStartAsync(Action meanwhile)
    {
        await StopSubscriberAsync();
        await Stand.KillAsync(entireTree: false);
        meanwhile();
        await Stand.StartAsync();
        await SubscribeAsync();
    }

    private async Task SubscribeAsync()
    {
        lock (_messages) _messages.Clear();
        _subscriber = await MosquittoSubscriber.StartAsync(Stand.MqttPort, Admin, ["ph2acf/#", "procedures/#", "dcs/status", "dcs/reply", "julabo/status", "julabo/reply"]);
        _pump = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var line = await _subscriber.NextAsync(TimeSpan.FromMilliseconds(500));
                if (line is null) continue;
                var space = line.IndexOf(' ');
                lock (_messages) _messages.Add(space < 0 ? (line, "") : (line[..space], line[(space + 1)..]));
            }
        });
    }

    private async Task StopSubscriberAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        await _subscriber.DisposeAsync();
        _stop = new CancellationTokenSource();
    }

    /// <summary>How many messages have arrived: a mark to wait for what comes after an action.</summary>
    public int Mark { get { lock (_messages) return _messages.Count; } }

    public List<string> Payloads(string topic, int from = 0)
    {
        lock (_messages) return [.. _messages.Skip(from).Where(m => m.Topic == topic).Select(m => m.Payload)];
    }

    /// <summary>The first JSON message on the topic after the mark that satisfies the condition.</summary>
    public async Task<JsonElement> WaitForAsync(string topic, Func<JsonElement, bool> condition, string what, int from = 0, double seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var payload in Payloads(topic, from))
            {
                JsonElement json;
                try { json = JsonDocument.Parse(payload).RootElement; } catch (JsonException) { continue; }
                if (condition(json)) return json;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{topic} never showed {what}; saw:\n{string.Join('\n', Payloads(topic, from).TakeLast(10))}\n{Stand.Log[^Math.Min(Stand.Log.Length, 3000)..]}");
    }

    /// <summary>Publishes a command as admin with mosquitto_pub and returns the reply to it.</summary>
    public async Task<JsonElement> CommandAsync(string topic, string payload)
    {
        var mark = Mark;
        var published = await Mosquitto.PubAsync(Stand.MqttPort, [.. Admin, "-q", "1", "-t", topic, "-m", payload]);
        Assert.Equal(0, published.ExitCode);
        var device = topic.Split('/')[0];
        return await WaitForAsync($"{device}/reply", r => r.GetProperty("topic").GetString() == topic, $"a reply to {topic}", mark);
    }

    public Task<JsonElement> StatusAsync(string state, int from, double seconds = 20) =>
        WaitForAsync("ph2acf/status", s => s.GetProperty("state").GetString() == state, $"state {state}", from, seconds);

    /// <summary>dcs/status is retained and published on change: the last one seen is the crate's state.</summary>
    public Task CrateAsync(string state) =>
        Eventually(() => Payloads("dcs/status").LastOrDefault()?.Contains($"\"{state}\"") == true, $"crate {state}");

    /// <summary>Brings the crate to HV_ON from wherever earlier tests left it (tripped, LV only, off).</summary>
    public async Task HvOnAsync()
    {
        if (Payloads("dcs/status").LastOrDefault()?.Contains("\"HV_ON\"") == true) return;
        await CommandAsync("dcs/cmd/clear", "");
        await CommandAsync("dcs/cmd/switch/hv", "off");
        await Eventually(() => Payloads("dcs/status").LastOrDefault() is { } s && (s.Contains("\"LV_ON\"") || s.Contains("\"LV_OFF\"")), "HV off");
        await CommandAsync("dcs/cmd/switch/lv", "on");
        await CrateAsync("LV_ON");
        var hvOn = await CommandAsync("dcs/cmd/switch/hv", "on");
        Assert.True(hvOn.GetProperty("ok").GetBoolean(), $"HV on refused: {hvOn}\nlast dcs/status: {Payloads("dcs/status").LastOrDefault()}\njulabo: {string.Join("\n", Payloads("julabo/status").TakeLast(6))}\n{Stand.Log[^Math.Min(Stand.Log.Length, 6000)..]}");
        await CrateAsync("HV_ON");
    }

    public static async Task Eventually(Func<Task<bool>> condition, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {seconds} s waiting for: {what}");
            await Task.Delay(200);
        }
    }

    public static async Task Eventually(Func<bool> condition, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {seconds} s waiting for: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>The run store of the stand's data directory, read beside the running process (SQLite in WAL mode).</summary>
    public IRunStore Store() => new SqliteRunStore(new Database(Path.Combine(Stand.DataDirectory, "trackerdcs.db")));

    /// <summary>Whether a process is gone: no /proc entry, or only a zombie waiting to be reaped.</summary>
    public static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] == 'Z';
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>The fake's pid and its child's pid, from its first ph2acf/log lines.</summary>
    public async Task<(int Pid, int Child)> PidsAsync(long run, int from)
    {
        var first = await WaitForAsync("ph2acf/log", l => l.GetProperty("run").GetInt64() == run && l.GetProperty("line").GetString()!.StartsWith("fake Ph2_ACF"), "the fake's first line", from);
        var child = await WaitForAsync("ph2acf/log", l => l.GetProperty("run").GetInt64() == run && l.GetProperty("line").GetString()!.StartsWith("child pid"), "the child's pid", from);
        return (int.Parse(first.GetProperty("line").GetString()!.Split("pid ")[1]), int.Parse(child.GetProperty("line").GetString()!.Split("child pid ")[1]));
    }

    public async ValueTask DisposeAsync()
    {
        await StopSubscriberAsync();
        await Stand.DisposeAsync();
    }
}
