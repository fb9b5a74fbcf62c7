using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Ports;
using System.Text;
using System.Text.Json;
using MQTTnet;
using TrackerDcs.Hardware.Common;
using TrackerDcs.Hardware.Julabo;

namespace TrackerDcs.Bench;

/// <summary>
/// `-- julabo`: over a socat pseudo-terminal pair with the JulaboSimulator on one end (ServeSerial),
/// (1) the status refresh period JulaboDevice reaches polling back to back with the 250 ms spacing, against
/// its floor (spacing × queries per refresh); (2) the full process on the pty: latency from an MQTT command
/// to the command reaching the chiller, to julabo/reply, and to the julabo/status that shows the change.
/// </summary>
public static class JulaboBench
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(250);

    public sealed record Options(int Refreshes, int Commands)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options(10, 24);
            for (var i = 0; i < args.Length; i++)
            {
                options = args[i] switch
                {
                    "--quick" => options with { Refreshes = 4, Commands = 8 },
                    "--refreshes" when i + 1 < args.Length && int.TryParse(args[++i], out var r) && r > 0 => options with { Refreshes = r },
                    "--commands" when i + 1 < args.Length && int.TryParse(args[++i], out var c) && c > 0 => options with { Commands = c },
                    _ => throw new ArgumentException($"unknown or incomplete option '{args[i]}'; usage: julabo [--quick] [--refreshes N] [--commands N]"),
                };
            }
            return options;
        }
    }

    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        Console.WriteLine($"Julabo bench: {Environment.ProcessorCount} cores, load average {Stats.LoadAverage()}");
        var report = new StringBuilder();
        report.Append(await RefreshPeriodAsync(options.Refreshes, ct));
        report.AppendLine();
        report.Append(await CommandLatencyAsync(options.Commands, ct));
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"load average at the end {Stats.LoadAverage()}");
    }

    private static JulaboSettings SerialOptions(string port) => new()
    {
        Port = port,
        BaudRate = 4800,
        DataBits = 7,
        Parity = Parity.Even,
        StopBits = StopBits.One,
        Handshake = Handshake.None, // a pty has no RTS/CTS lines
        CommandInterval = Spacing,
        ReplyTimeout = TimeSpan.FromSeconds(1),
    };

    /// <summary>
    /// The device polls back to back (PollPeriod 1 ms, the smallest it accepts); every command's arrival is
    /// timestamped at the simulator. The refresh period is the time between two STATUS queries (the first
    /// of each poll); the queries per refresh are counted from the commands in between.
    /// </summary>
    private static async Task<string> RefreshPeriodAsync(int refreshes, CancellationToken ct)
    {
        using var pty = new SocatPtyPair(countBytes: true);
        await using var simulator = new JulaboSimulator();
        var arrivals = new ConcurrentQueue<(long At, string Line)>();
        simulator.CommandReceived += line => arrivals.Enqueue((Stopwatch.GetTimestamp(), line));
        simulator.ServeSerial(pty.B, new SerialSettings(4800, 7, Parity.Even));   // the older units' line, as SerialOptions
        var options = SerialOptions(pty.A);
        options.PollPeriod = TimeSpan.FromMilliseconds(1);
        await using var device = new JulaboDevice(options);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = device.RunAsync(stop.Token);

        // refreshes + 2 STATUS queries: the first poll right after connecting is not counted.
        static bool IsStatus((long, string Line) a) => a.Line.Trim().Equals("STATUS", StringComparison.OrdinalIgnoreCase);
        var deadline = Stopwatch.GetTimestamp() + (long)(refreshes * 5 + 20) * Stopwatch.Frequency;
        while (arrivals.Count(IsStatus) < refreshes + 2 && Stopwatch.GetTimestamp() < deadline) await Task.Delay(50, ct);
        await stop.CancelAsync();
        await run;

        var all = arrivals.ToList();
        // Both directions over the whole session (VERSION included), per command: commands plus replies.
        // socat's dump is read asynchronously: let it drain, then read both counters once.
        await Task.Delay(500, ct);
        var (toUnit, toDevice) = (pty.BytesAtoB, pty.BytesBtoA);
        var bytesPerCommand = (double)(toUnit + toDevice) / Math.Max(1, all.Count);
        var statusIndexes = all.Select((a, i) => (a, i)).Where(x => IsStatus(x.a)).Select(x => x.i).Skip(1).ToList();
        var periods = new List<double>();
        var queries = new List<int>();
        var gaps = new List<double>();
        var commandBytes = new List<int>();
        for (var k = 1; k < statusIndexes.Count; k++)
        {
            var (from, to) = (statusIndexes[k - 1], statusIndexes[k]);
            periods.Add(Stats.Ms(all[from].At, all[to].At));
            queries.Add(to - from);
            commandBytes.Add(all.Skip(from).Take(to - from).Sum(a => a.Line.Length + 1));
            for (var j = from + 1; j <= to; j++) gaps.Add(Stats.Ms(all[j - 1].At, all[j].At));
        }
        var perRefresh = queries.Count > 0 ? queries.Max() : 0;
        var floor = perRefresh * Spacing.TotalMilliseconds;
        var mean = periods.DefaultIfEmpty(double.NaN).Average();
        // 7E1: start + 7 data + parity + stop = 10 bits a character.
        var wireMsPerRefresh = commandBytes.DefaultIfEmpty(0).Average() * 10 * 1000 / 4800;
        var bothWaysPerRefresh = bytesPerCommand * perRefresh;
        var bothWaysMs = bothWaysPerRefresh * 10 * 1000 / 4800;
        Console.WriteLine($"  refresh periods (ms): {string.Join(", ", periods.Select(p => Stats.F(p, "0")))}");
        Console.WriteLine($"  queries per refresh: {string.Join(", ", queries.Distinct())}; command-to-command gap {Stats.Summary(gaps)}");

        var table = new StringBuilder();
        table.AppendLine($"| status refresh, 4800 7E1 over a socat pty, {Spacing.TotalMilliseconds:0} ms spacing, PollPeriod 1 ms | value |");
        table.AppendLine("|---|--:|");
        table.AppendLine($"| queries per refresh (counted at the simulator) | {perRefresh} |");
        table.AppendLine($"| floor = spacing × queries | {floor:0} ms |");
        table.AppendLine($"| refresh period, mean of {periods.Count} | {Stats.F(mean, "0")} ms |");
        table.AppendLine($"| refresh period, min / max | {Stats.F(periods.DefaultIfEmpty(double.NaN).Min(), "0")} / {Stats.F(periods.DefaultIfEmpty(double.NaN).Max(), "0")} ms |");
        table.AppendLine($"| mean / floor (goal ≤ 1.10) | {Stats.Ratio(mean / floor)} |");
        table.AppendLine($"| command-to-command gap p50 / p99 | {Stats.F(Stats.Percentile(gaps, 50))} / {Stats.F(Stats.Percentile(gaps, 99))} ms |");
        table.AppendLine($"| command bytes per refresh; their time on a real 4800 baud 7E1 line | {commandBytes.DefaultIfEmpty(0).Average():0} B; {wireMsPerRefresh:0} ms |");
        table.AppendLine($"| commands + replies per refresh (socat -x, {toUnit} B device→unit, {toDevice} B unit→device, {all.Count} commands); at 4800 baud 7E1 | {bothWaysPerRefresh:0} B; {bothWaysMs:0} ms |");
        table.AppendLine($"| estimated period on a real 4800 baud line (measured mean + that wire time) / floor | {Stats.F(mean + bothWaysMs, "0")} ms; {Stats.Ratio((mean + bothWaysMs) / floor)} |");
        return table.ToString();
    }

    /// <summary>
    /// The full process with Julabo:Port on the pty (shipped settings otherwise: 9600 8N1, 250 ms spacing,
    /// PollPeriod 5 s; Handshake None for the pty). Alternates setWT on set point 1 and start/stop, with
    /// random pauses of 0–1 s, timing each from the publish to (a) the command line arriving at the
    /// simulator, (b) julabo/reply ok, (c) the first julabo/status showing the change.
    /// </summary>
    private static async Task<string> CommandLatencyAsync(int commands, CancellationToken ct)
    {
        using var pty = new SocatPtyPair();
        await using var simulator = new JulaboSimulator();
        var arrivals = new ConcurrentQueue<(long At, string Line)>();
        simulator.CommandReceived += line => arrivals.Enqueue((Stopwatch.GetTimestamp(), line));
        simulator.ServeSerial(pty.B);
        await using var process = new TrackerDcsBroker([$"--Julabo:Port={pty.A}", "--Julabo:Handshake=None"]);
        Console.WriteLine($"TrackerDcs process: MQTT 127.0.0.1:{process.Port}, Julabo:Port {pty.A}");
        await process.StartAsync(ct);

        var statuses = new ConcurrentQueue<(long At, JsonElement Status)>();
        var replies = new ConcurrentQueue<(long At, JsonElement Reply)>();
        using var mqtt = new MqttClientFactory().CreateMqttClient();
        mqtt.ApplicationMessageReceivedAsync += e =>
        {
            var now = Stopwatch.GetTimestamp();
            var json = JsonDocument.Parse(e.ApplicationMessage.Payload).RootElement.Clone();
            if (e.ApplicationMessage.Topic == "julabo/status") statuses.Enqueue((now, json));
            else if (e.ApplicationMessage.Topic == "julabo/reply") replies.Enqueue((now, json));
            return Task.CompletedTask;
        };
        await mqtt.ConnectAsync(process.ClientOptions("bench-julabo"), ct);
        await mqtt.SubscribeAsync("julabo/status", cancellationToken: ct);
        await mqtt.SubscribeAsync("julabo/reply", cancellationToken: ct);

        string State(JsonElement s) => s.GetProperty("fsm_state").GetString() ?? "";
        var ready = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (!statuses.Any(s => State(s.Status) is "OFF" or "ON") && Stopwatch.GetTimestamp() < ready) await Task.Delay(50, ct);
        if (!statuses.Any(s => State(s.Status) is "OFF" or "ON"))
            throw new TimeoutException($"julabo/status never left {string.Join(", ", statuses.Select(s => State(s.Status)).Distinct())}");
        var running = State(statuses.Last(s => State(s.Status) is "OFF" or "ON").Status) == "ON";

        var samples = new Dictionary<string, (List<double> Chiller, List<double> Reply, List<double> Status)>
        {
            ["setWT"] = ([], [], []),
            ["start/stop"] = ([], [], []),
        };
        var failures = new List<string>();
        var random = new Random(4);
        for (var i = 0; i < commands; i++)
        {
            await Task.Delay(random.Next(1000), ct);
            string topic, payload, wire, kind;
            Func<JsonElement, bool> changed;
            if (i % 2 == 0)
            {
                var temp = Math.Round(15 + 0.1 * i, 2);
                (kind, topic, payload) = ("setWT", "julabo/cmd/setWT", $$"""{"setpoint":1,"temp":{{temp.ToString(Stats.Invariant)}}}""");
                wire = "OUT_SP_00";
                changed = s => s.TryGetProperty("setpoint_1", out var sp) && sp.ValueKind == JsonValueKind.Number && Math.Abs(sp.GetDouble() - temp) < 0.005;
            }
            else
            {
                var start = !running;
                (kind, topic, payload) = ("start/stop", start ? "julabo/cmd/start" : "julabo/cmd/stop", "");
                wire = "OUT_MODE_05";
                changed = s => State(s) == (start ? "ON" : "OFF");
                running = start;
            }
            var (statusMark, replyMark, arrivalMark) = (statuses.Count, replies.Count, arrivals.Count);
            var sent = Stopwatch.GetTimestamp();
            await mqtt.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).Build(), ct);
            var deadline = sent + 15 * Stopwatch.Frequency;
            (long At, JsonElement)? reply = null, status = null;
            (long At, string)? arrival = null;
            while (Stopwatch.GetTimestamp() < deadline && (reply is null || status is null || arrival is null))
            {
                reply ??= replies.Skip(replyMark).Where(r => r.Reply.GetProperty("topic").GetString() == topic).Select(r => ((long, JsonElement)?)r).FirstOrDefault();
                status ??= statuses.Skip(statusMark).Where(s => changed(s.Status)).Select(s => ((long, JsonElement)?)s).FirstOrDefault();
                arrival ??= arrivals.Skip(arrivalMark).Where(a => a.Line.StartsWith(wire, StringComparison.OrdinalIgnoreCase)).Select(a => ((long, string)?)a).FirstOrDefault();
                await Task.Delay(2, ct);
            }
            var (atChiller, atReply, atStatus) = samples[kind];
            if (reply is { } r && r.Item2.GetProperty("ok").GetBoolean()) atReply.Add(Stats.Ms(sent, r.At));
            else failures.Add($"{topic} {payload}: reply {(reply is { } bad ? bad.Item2.ToString() : "none")}");
            if (arrival is { } a) atChiller.Add(Stats.Ms(sent, a.At)); else failures.Add($"{topic} {payload}: never reached the chiller");
            if (status is { } s) atStatus.Add(Stats.Ms(sent, s.At)); else failures.Add($"{topic} {payload}: julabo/status never showed it");
        }

        var table = new StringBuilder();
        table.AppendLine($"| full process, {commands} commands, MQTT publish → | n | p50 ms | p99 ms | max ms |");
        table.AppendLine("|---|--:|--:|--:|--:|");
        foreach (var (kind, (chiller, reply, status)) in samples)
        {
            Console.WriteLine($"  {kind}: → chiller {Stats.Summary(chiller)}");
            Console.WriteLine($"  {kind}: → julabo/reply {Stats.Summary(reply)}");
            Console.WriteLine($"  {kind}: → julabo/status {Stats.Summary(status)}");
            foreach (var (what, ms) in new[] { ("command line at the chiller", chiller), ("julabo/reply ok", reply), ("julabo/status showing the change", status) })
                table.AppendLine($"| {kind} → {what} | {ms.Count} | {Stats.F(Stats.Percentile(ms, 50))} | {Stats.F(Stats.Percentile(ms, 99))} | {Stats.F(ms.DefaultIfEmpty(double.NaN).Max())} |");
        }
        foreach (var failure in failures) table.AppendLine($"\nfailed: {failure}");
        return table.ToString();
    }
}
