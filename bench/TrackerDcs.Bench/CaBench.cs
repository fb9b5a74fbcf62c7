using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MQTTnet;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Bench;

/// <summary>
/// `-- ca`: the project's Channel Access client against libca (pyepics) on one CaServer hosting the
/// simulated SY4527 (1,185 PVs) plus bench PVs up to 10,000, then the latency from a CA put of a V0Set on
/// the full process's own simulated crate to the dcs/channels/&lt;id&gt; message carrying the new hv_setV.
/// </summary>
public static class CaBench
{
    private const int TotalPvs = 10_000;
    private static readonly int[] ConnectCounts = [100, 1_000, 10_000];

    public sealed record Options(int MonitorPvs, int[] Rates, TimeSpan DriveTime, int LatencySamples)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options(1_000, [10_000, 50_000, 100_000], TimeSpan.FromSeconds(5), 60);
            for (var i = 0; i < args.Length; i++)
            {
                options = args[i] switch
                {
                    "--quick" => options with { Rates = [10_000], DriveTime = TimeSpan.FromSeconds(3), LatencySamples = 20 },
                    "--samples" when i + 1 < args.Length && int.TryParse(args[++i], out var n) && n > 0 => options with { LatencySamples = n },
                    "--seconds" when i + 1 < args.Length && double.TryParse(args[++i], Stats.Invariant, out var s) && s > 0 => options with { DriveTime = TimeSpan.FromSeconds(s) },
                    "--rates" when i + 1 < args.Length => options with { Rates = args[++i].Split(',').Select(r => int.Parse(r, Stats.Invariant)).ToArray() },
                    _ => throw new ArgumentException($"unknown or incomplete option '{args[i]}'; usage: ca [--quick] [--samples N] [--seconds S] [--rates R1,R2]"),
                };
            }
            return options;
        }
    }

    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        Console.WriteLine($"Channel Access bench: {Environment.ProcessorCount} cores, load average {Stats.LoadAverage()}");
        using var crate = new SimulatedCaenCrate();
        crate.Start();
        var cratePvs = crate.ProcessVariables.OrderBy(pv => pv.Name, StringComparer.Ordinal).ToList();
        var benchPvs = Enumerable.Range(0, TotalPvs - cratePvs.Count)
            .Select(i => new ProcessVariable($"bench:pv:{i:00000}", CaType.Double, 0.0)).ToArray();
        var names = cratePvs.Concat(benchPvs).Select(pv => pv.Name).ToList();
        await using var server = StartServer(cratePvs.Concat(benchPvs).ToList());
        var port = server.SearchPort;
        Console.WriteLine($"CaServer on 127.0.0.1:{port}: simulated crate ({cratePvs.Count} PVs) + {benchPvs.Length} bench PVs");

        var report = new StringBuilder();
        report.AppendLine("| N PVs | TrackerDcs client connect s | libca (pyepics) connect s | ratio libca/ours |");
        report.AppendLine("|--:|--:|--:|--:|");
        // Warm-up: the JIT and libca's shared objects, unrecorded.
        await ConnectOursAsync(names.Take(100).ToList(), port, ct);
        foreach (var n in ConnectCounts)
        {
            var subset = names.Take(n).ToList();
            var ours = await ConnectOursAsync(subset, port, ct);
            await using var py = new PyEpicsScript("connect", subset, port);
            var libca = (await py.ResultAsync(ct)).GetProperty("connect_s").GetDouble();
            Console.WriteLine($"  connect {n,6} PVs: ours {ours:0.000} s, libca {libca:0.000} s");
            report.AppendLine($"| {n:N0} | {Stats.F(ours, "0.000")} | {Stats.F(libca, "0.000")} | {Stats.Ratio(libca / ours)} |");
        }

        var monitored = benchPvs.Take(options.MonitorPvs).ToArray();
        report.AppendLine();
        report.AppendLine($"| offered updates/s ({monitored.Length} PVs, {options.DriveTime.TotalSeconds:0} s) | TrackerDcs client received/s | delivered | libca (pyepics) received/s | delivered | ratio ours/libca |");
        report.AppendLine("|--:|--:|--:|--:|--:|--:|");
        foreach (var rate in options.Rates)
        {
            var (ourOffered, ourReceived) = await MonitorOursAsync(monitored, port, rate, options.DriveTime, ct);
            var (pyOffered, pyReceived) = await MonitorLibcaAsync(monitored, port, rate, options.DriveTime, ct);
            double seconds = options.DriveTime.TotalSeconds, ourRate = ourReceived / seconds, pyRate = pyReceived / seconds;
            Console.WriteLine($"  monitor {rate,6}/s: ours {ourReceived} of {ourOffered} ({ourRate:0} /s), libca {pyReceived} of {pyOffered} ({pyRate:0} /s)");
            report.AppendLine($"| {rate:N0} | {ourRate:N0} | {Fraction(ourReceived, ourOffered)} | {pyRate:N0} | {Fraction(pyReceived, pyOffered)} | {Stats.Ratio(ourRate / pyRate)} |");
        }
        await server.DisposeAsync();
        crate.Stop();

        report.AppendLine();
        report.Append(await PutToMqttLatencyAsync(options.LatencySamples, ct));
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"load average at the end {Stats.LoadAverage()}");
    }

    private static string Fraction(long received, long offered) => offered == 0 ? "–" : $"{100.0 * received / offered:0.0} %";

    private static CaServer StartServer(IReadOnlyList<ProcessVariable> pvs)
    {
        for (var attempt = 0; ; attempt++)
        {
            var server = new CaServer(pvs, new CaServerOptions { Port = FreePort.ChannelAccess() });
            try
            {
                server.Start();
                return server;
            }
            catch (SocketException) when (attempt < 5) { }
        }
    }

    private static ChannelAccessOptions ClientOptions(int port) => new()
    {
        AddressList = $"127.0.0.1:{port}",
        AutoAddressList = false,
        ServerPort = port,
        ClientName = "bench",
    };

    /// <summary>Seconds from the first CreateChannel to the last connection, on a fresh client context.</summary>
    private static async Task<double> ConnectOursAsync(IReadOnlyList<string> names, int port, CancellationToken ct)
    {
        await using var client = new CaClient(ClientOptions(port));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(names.Select(name => client.ConnectAsync(name, timeout.Token)));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// Updates the PVs round robin from one thread at <paramref name="rate"/> updates per second in total,
    /// each with a new value, for <paramref name="duration"/>; returns how many updates it made.
    /// </summary>
    private static Task<long> DriveAsync(ProcessVariable[] pvs, int rate, TimeSpan duration) => Task.Factory.StartNew(() =>
    {
        var clock = Stopwatch.StartNew();
        long done = 0;
        while (clock.Elapsed < duration)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate);
            for (; done < due; done++) pvs[done % pvs.Length].Update((double)done);
            Thread.Sleep(1);
        }
        return done;
    }, TaskCreationOptions.LongRunning);

    private static async Task<(long Offered, long Received)> MonitorOursAsync(ProcessVariable[] pvs, int port, int rate, TimeSpan duration, CancellationToken ct)
    {
        await using var client = new CaClient(ClientOptions(port));
        var channels = await Task.WhenAll(pvs.Select(pv => client.ConnectAsync(pv.Name, ct)));
        long received = 0;
        var subscriptions = await Task.WhenAll(channels.Select(c => c.SubscribeAsync(_ => Interlocked.Increment(ref received), cancellationToken: ct)));
        await Task.Delay(500, ct);
        Interlocked.Exchange(ref received, 0);
        var offered = await DriveAsync(pvs, rate, duration);
        await Task.Delay(1000, ct); // what is still in flight when the driver stops counts too
        var total = Interlocked.Read(ref received);
        foreach (var subscription in subscriptions) subscription.Dispose();
        return (offered, total);
    }

    private static async Task<(long Offered, long Received)> MonitorLibcaAsync(ProcessVariable[] pvs, int port, int rate, TimeSpan duration, CancellationToken ct)
    {
        await using var py = new PyEpicsScript("monitor", pvs.Select(pv => pv.Name), port);
        await py.ReadyAsync(ct);
        await Task.Delay(500, ct);
        await py.SendAsync("go");
        await Task.Delay(100, ct); // the script resets its count when it reads "go"
        var offered = await DriveAsync(pvs, rate, duration);
        await Task.Delay(1000, ct);
        await py.SendAsync("stop");
        return (offered, (await py.ResultAsync(ct)).GetProperty("received").GetInt64());
    }

    /// <summary>
    /// The full process with its simulated crate on a free port: a put of cleanroom:12:000:V0Set (channel
    /// "0" of channels.yml) by our CA client, timed to the bench's own CA monitor of that PV and to the
    /// dcs/channels/0 message whose hv_setV is the new value. Pauses of 0.2–0.8 s between puts so the
    /// puts fall at random phases of the process's publish loop.
    /// </summary>
    private static async Task<string> PutToMqttLatencyAsync(int samples, CancellationToken ct)
    {
        var caPort = FreePort.ChannelAccess();
        await using var process = new TrackerDcsBroker([$"--Caen:SimulatorPort={caPort}"]);
        Console.WriteLine($"TrackerDcs process: MQTT 127.0.0.1:{process.Port}, simulated crate CA port {caPort}");
        await process.StartAsync(ct);

        var mqttSeen = new ConcurrentDictionary<double, long>();
        var caSeen = new ConcurrentDictionary<double, long>();
        var messages = 0;
        using var mqtt = new MqttClientFactory().CreateMqttClient();
        mqtt.ApplicationMessageReceivedAsync += e =>
        {
            var now = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref messages);
            using var json = JsonDocument.Parse(e.ApplicationMessage.Payload);
            if (json.RootElement.TryGetProperty("hv_setV", out var setV)) mqttSeen.TryAdd(setV.GetDouble(), now);
            return Task.CompletedTask;
        };
        await mqtt.ConnectAsync(process.ClientOptions("bench-ca-latency"), ct);
        await mqtt.SubscribeAsync("dcs/channels/0", cancellationToken: ct);

        await using var client = new CaClient(ClientOptions(caPort));
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connectTimeout.CancelAfter(TimeSpan.FromSeconds(30));
        var channel = await client.ConnectAsync("cleanroom:12:000:V0Set", connectTimeout.Token);
        using var monitor = await channel.SubscribeAsync(v => caSeen.TryAdd(v.ToDouble(), Stopwatch.GetTimestamp()), cancellationToken: connectTimeout.Token);
        // The controller writes every setting on load: wait until that is done and published.
        while (mqttSeen.IsEmpty) await Task.Delay(50, connectTimeout.Token);
        await Task.Delay(1000, ct);

        var toMqtt = new List<double>();
        var toMonitor = new List<double>();
        var putDone = new List<double>();
        var missed = 0;
        var random = new Random(3);
        for (var i = 0; i < samples; i++)
        {
            var volts = 100 + 0.5 * i;
            var started = Stopwatch.GetTimestamp();
            await channel.PutAsync(volts, ct);
            putDone.Add(Stats.Ms(started, Stopwatch.GetTimestamp()));
            var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
            while (!mqttSeen.ContainsKey(volts) && Stopwatch.GetTimestamp() < deadline) await Task.Delay(1, ct);
            if (mqttSeen.TryGetValue(volts, out var atMqtt)) toMqtt.Add(Stats.Ms(started, atMqtt)); else missed++;
            if (caSeen.TryGetValue(volts, out var atCa)) toMonitor.Add(Stats.Ms(started, atCa));
            await Task.Delay(200 + random.Next(600), ct);
        }
        Console.WriteLine($"  put completion:        {Stats.Summary(putDone)}");
        Console.WriteLine($"  put → CA monitor:      {Stats.Summary(toMonitor)}");
        Console.WriteLine($"  put → dcs/channels/0:  {Stats.Summary(toMqtt)}, {missed} missed, {messages} messages on the topic");

        var table = new StringBuilder();
        table.AppendLine($"| put of cleanroom:12:000:V0Set ({samples} puts) | n | p50 ms | p99 ms | max ms | goal |");
        table.AppendLine("|---|--:|--:|--:|--:|---|");
        table.AppendLine($"| put → put completion (WRITE_NOTIFY reply) | {putDone.Count} | {Stats.F(Stats.Percentile(putDone, 50))} | {Stats.F(Stats.Percentile(putDone, 99))} | {Stats.F(putDone.DefaultIfEmpty(double.NaN).Max())} | |");
        table.AppendLine($"| put → CA monitor update at the bench's client | {toMonitor.Count} | {Stats.F(Stats.Percentile(toMonitor, 50))} | {Stats.F(Stats.Percentile(toMonitor, 99))} | {Stats.F(toMonitor.DefaultIfEmpty(double.NaN).Max())} | |");
        table.AppendLine($"| put → dcs/channels/0 with the new hv_setV | {toMqtt.Count} | {Stats.F(Stats.Percentile(toMqtt, 50))} | {Stats.F(Stats.Percentile(toMqtt, 99))} | {Stats.F(toMqtt.DefaultIfEmpty(double.NaN).Max())} | p99 < 50 ms: {(toMqtt.Count > 0 && missed == 0 && Stats.Percentile(toMqtt, 99) < 50 ? "met" : "not met")} |");
        if (missed > 0) table.AppendLine($"\n{missed} of {samples} puts never showed on dcs/channels/0 within 10 s.");
        return table.ToString();
    }
}
