using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MQTTnet;
using TrackerDcs.Hardware.Marta;
using TrackerDcs.Hardware.Modbus;

namespace TrackerDcs.Bench;

/// <summary>
/// `-- marta`: against the MartaSimulator on 127.0.0.1 with the seed's map, (1) full map reads per second, our
/// ModbusTcpClient against Debian's pymodbus client reading the same read plan from the same simulator, in
/// alternating rounds so that a change in the machine's load hits both alike; (2) MartaDevice with the shipped
/// settings (poll period 1 s): the time from a command to the snapshot that shows its state, the device's share
/// of the seed's "status within 1.1 s of a change"; (3) the whole process (shipped settings, Marta:Host on the
/// simulator): from an MQTT command to the MARTA/status that shows its state, and from a change at the plant (a set
/// point written at its own panel) to the MARTA/status that carries it, which the 1 s poll bounds.
/// </summary>
public static class MartaBench
{
    private const string PymodbusReader = """
        import sys, time
        from pymodbus.client import ModbusTcpClient
        port, unit, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
        plan = [tuple(int(x) for x in c.split(':')) for c in sys.argv[4].split(',')]
        client = ModbusTcpClient('127.0.0.1', port=port)
        client.connect()
        for address, count in plan:
            client.read_holding_registers(address, count, slave=unit)
        t0 = time.perf_counter()
        for _ in range(n):
            for address, count in plan:
                r = client.read_holding_registers(address, count, slave=unit)
                if r.isError():
                    print('error', r)
                    sys.exit(1)
        print(time.perf_counter() - t0)
        """;

    public sealed record Options(int Reads, int Rounds, int Commands)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options(2000, 3, 40);
            for (var i = 0; i < args.Length; i++)
            {
                options = args[i] switch
                {
                    "--quick" => options with { Reads = 300, Rounds = 2, Commands = 10 },
                    "--reads" when i + 1 < args.Length && int.TryParse(args[++i], out var r) && r > 0 => options with { Reads = r },
                    "--commands" when i + 1 < args.Length && int.TryParse(args[++i], out var c) && c > 0 => options with { Commands = c },
                    _ => throw new ArgumentException($"unknown or incomplete option '{args[i]}'; usage: marta [--quick] [--reads N] [--commands N]"),
                };
            }
            return options;
        }
    }

    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        Console.WriteLine($"MARTA bench: {Environment.ProcessorCount} cores, load average {Stats.LoadAverage()}");
        var map = MartaRegisterMap.Load(Path.Combine(RepositoryRoot(), MartaRegisterMap.DefaultFile));
        var report = new StringBuilder();
        report.Append(await ReadRateAsync(map, options, ct));
        report.AppendLine();
        report.Append(await CommandLatencyAsync(map, options.Commands, ct));
        report.AppendLine();
        report.Append(await ProcessLatencyAsync(map, options.Commands, ct));
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"load average at the end {Stats.LoadAverage()}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, MartaRegisterMap.DefaultFile))) return dir.FullName;
        throw new FileNotFoundException($"no {MartaRegisterMap.DefaultFile} above {AppContext.BaseDirectory}");
    }

    private static async Task<string> ReadRateAsync(MartaRegisterMap map, Options options, CancellationToken ct)
    {
        await using var simulator = new MartaSimulator(map);
        var port = simulator.EndPoint.Port;
        var plan = string.Join(',', map.ReadPlan.Select(c => $"{c.Address}:{c.Count}"));
        var registers = map.ReadPlan.Sum(c => c.Count);
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var round = 0; round < options.Rounds; round++)
        {
            await using (var client = new ModbusTcpClient("127.0.0.1", port, simulator.UnitId, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)))
            {
                foreach (var chunk in map.ReadPlan) await client.ReadHoldingRegistersAsync(chunk.Address, chunk.Count, ct);
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < options.Reads; i++)
                    foreach (var chunk in map.ReadPlan)
                        await client.ReadHoldingRegistersAsync(chunk.Address, chunk.Count, ct);
                ours.Add(options.Reads / Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
            theirs.Add(options.Reads / await PymodbusSecondsAsync(port, simulator.UnitId, options.Reads, plan, ct));
            Console.WriteLine($"  round {round + 1}: ours {ours[^1]:0} full reads/s, pymodbus {theirs[^1]:0} full reads/s");
        }

        var table = new StringBuilder();
        table.AppendLine($"| full seed map read ({map.ReadPlan.Count} requests, {registers} registers) from the simulator, {options.Reads} back to back, best of {options.Rounds} | value |");
        table.AppendLine("|---|--:|");
        table.AppendLine($"| ModbusTcpClient (ours) | {ours.Max():0} reads/s |");
        table.AppendLine($"| pymodbus {PymodbusVersion()} sync client (Debian) | {theirs.Max():0} reads/s |");
        table.AppendLine($"| ours / pymodbus | {Stats.Ratio(ours.Max() / theirs.Max())} |");
        table.AppendLine($"| one full read, ours | {Stats.F(1000 / ours.Max(), "0.00")} ms (the poll period is 1000 ms) |");
        return table.ToString();
    }

    private static string PymodbusVersion() =>
        Process.Start(new ProcessStartInfo(DebianPython.Path, ["-c", "import pymodbus; print(pymodbus.__version__)"]) { RedirectStandardOutput = true })!
            .StandardOutput.ReadToEnd().Trim();

    private static async Task<double> PymodbusSecondsAsync(int port, byte unit, int reads, string plan, CancellationToken ct)
    {
        var info = new ProcessStartInfo(DebianPython.Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", PymodbusReader, port.ToString(CultureInfo.InvariantCulture), unit.ToString(CultureInfo.InvariantCulture), reads.ToString(CultureInfo.InvariantCulture), plan])
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var text = (await stdout).Trim();
        if (process.ExitCode != 0 || !double.TryParse(text, CultureInfo.InvariantCulture, out var seconds))
            throw new InvalidOperationException($"pymodbus reader failed (exit {process.ExitCode}): {text} {await stderr}");
        return seconds;
    }

    /// <summary>
    /// Alternates start_chiller and stop_chiller after random pauses of 0–1 s, each timed from the call to the
    /// SnapshotChanged that shows the new state (the device reads back at once after a write instead of waiting
    /// for its next poll).
    /// </summary>
    private static async Task<string> CommandLatencyAsync(MartaRegisterMap map, int commands, CancellationToken ct)
    {
        await using var device = MartaDevice.CreateSimulated(map, new MartaSettings());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = device.RunAsync(stop.Token);
        var states = new List<(long At, MartaState State)>();
        device.SnapshotChanged += s => { lock (states) states.Add((Stopwatch.GetTimestamp(), s.State)); };
        while (device.State != MartaState.Connected) await Task.Delay(10, ct);

        var random = new Random(1);
        var latencies = new List<double>();
        for (var i = 0; i < commands; i++)
        {
            await Task.Delay(random.Next(0, 1000), ct);
            var (command, expected) = i % 2 == 0 ? (MartaCommand.StartChiller, MartaState.ChillerRunning) : (MartaCommand.StopChiller, MartaState.Connected);
            var start = Stopwatch.GetTimestamp();
            var result = await device.ExecuteAsync(command, ct: ct);
            if (!result.Ok) throw new InvalidOperationException($"{command}: {result}");
            long? seen = null;
            while (seen is null)
            {
                lock (states)
                {
                    var match = states.FindIndex(s => s.At >= start && s.State == expected);
                    if (match >= 0) seen = states[match].At;
                }
                if (seen is null) await Task.Delay(1, ct);
            }
            latencies.Add(Stats.Ms(start, seen.Value));
        }
        await stop.CancelAsync();
        await run;
        Console.WriteLine($"  command → snapshot: {Stats.Summary(latencies)}");

        var table = new StringBuilder();
        table.AppendLine($"| MartaDevice, shipped settings (poll 1 s): command → snapshot with its state, {commands} commands | value |");
        table.AppendLine("|---|--:|");
        table.AppendLine($"| p50 / p99 / max | {Stats.F(Stats.Percentile(latencies, 50))} / {Stats.F(Stats.Percentile(latencies, 99))} / {Stats.F(latencies.Max())} ms |");
        table.AppendLine($"| p99 / the seed's 1100 ms | {Stats.Ratio(Stats.Percentile(latencies, 99) / 1100)} |");
        return table.ToString();
    }

    /// <summary>
    /// The process with shipped MARTA settings, pointed at a simulator of this bench (Marta:Host, Marta:Port). Alternates,
    /// after random pauses of 0–1 s, (a) MARTA/cmd/start_chiller and stop_chiller published over MQTT, timed from the
    /// publish to the first MARTA/status with the new fsm_state; (b) a new temperature set point written at the plant's
    /// panel, timed from the write to the first MARTA/status that carries it (the poll period decides most of it).
    /// </summary>
    private static async Task<string> ProcessLatencyAsync(MartaRegisterMap map, int commands, CancellationToken ct)
    {
        await using var simulator = new MartaSimulator(map);
        await using var process = new TrackerDcsBroker(["--Marta:Host=127.0.0.1", $"--Marta:Port={simulator.EndPoint.Port}"]);
        Console.WriteLine($"TrackerDcs process: MQTT 127.0.0.1:{process.Port}, MARTA at {simulator.EndPoint}");
        await process.StartAsync(ct);

        var statuses = new ConcurrentQueue<(long At, JsonElement Status)>();
        using var mqtt = new MqttClientFactory().CreateMqttClient();
        mqtt.ApplicationMessageReceivedAsync += e =>
        {
            var now = Stopwatch.GetTimestamp();
            if (e.ApplicationMessage.Topic == "MARTA/status") statuses.Enqueue((now, JsonDocument.Parse(e.ApplicationMessage.Payload).RootElement.Clone()));
            return Task.CompletedTask;
        };
        await mqtt.ConnectAsync(process.ClientOptions("bench-marta"), ct);
        await mqtt.SubscribeAsync("MARTA/status", cancellationToken: ct);
        // MARTA/status is not retained: refresh has everything published again, the state with it.
        await WaitAsync(async () =>
        {
            await mqtt.PublishStringAsync("MARTA/cmd/refresh", "", cancellationToken: ct);
            await Task.Delay(500, ct);
            return statuses.Any(s => State(s.Status) == "CONNECTED");
        }, "MARTA/status CONNECTED", ct);

        var toState = new List<double>();
        var toValue = new List<double>();
        var random = new Random(13);
        for (var i = 0; i < commands; i++)
        {
            await Task.Delay(random.Next(1000), ct);
            var mark = statuses.Count;
            var start = Stopwatch.GetTimestamp();
            Func<JsonElement, bool> shows;
            if (i % 2 == 0)
            {
                var (command, expected) = i % 4 == 0 ? ("start_chiller", "CHILLER_RUNNING") : ("stop_chiller", "CONNECTED");
                await mqtt.PublishStringAsync($"MARTA/cmd/{command}", "", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: ct);
                shows = s => State(s) == expected;
            }
            else
            {
                var setpoint = Math.Round(-20 + 0.25 * i, 2);
                simulator.WriteAtPanel("set_temperature_setpoint", setpoint);
                shows = s => s.TryGetProperty("set_temperature_setpoint", out var v) && v.ValueKind == JsonValueKind.Number && Math.Abs(v.GetDouble() - setpoint) < 1e-4;
            }
            long? seen = null;
            var deadline = start + 10 * Stopwatch.Frequency;
            while (seen is null && Stopwatch.GetTimestamp() < deadline)
            {
                seen = statuses.Skip(mark).Where(s => shows(s.Status)).Select(s => (long?)s.At).FirstOrDefault();
                if (seen is null) await Task.Delay(1, ct);
            }
            if (seen is null) throw new TimeoutException($"sample {i}: no MARTA/status showed the change within 10 s");
            (i % 2 == 0 ? toState : toValue).Add(Stats.Ms(start, seen.Value));
        }
        Console.WriteLine($"  MQTT command → MARTA/status: {Stats.Summary(toState)}");
        Console.WriteLine($"  change at the plant → MARTA/status: {Stats.Summary(toValue)}");
        Console.WriteLine($"  process CPU {process.ProcessorTime.TotalSeconds:0.0} s");

        var table = new StringBuilder();
        table.AppendLine($"| TrackerDcs process, shipped settings (poll 1 s), MARTA/status over its broker; {toState.Count} + {toValue.Count} samples | p50 / p99 / max | p99 / the seed's 1100 ms |");
        table.AppendLine("|---|--:|--:|");
        table.AppendLine($"| MARTA/cmd/start_chiller, stop_chiller → MARTA/status with the new fsm_state | {Stats.F(Stats.Percentile(toState, 50))} / {Stats.F(Stats.Percentile(toState, 99))} / {Stats.F(toState.Max())} ms | {Stats.Ratio(Stats.Percentile(toState, 99) / 1100)} |");
        table.AppendLine($"| set point written at the plant's panel → MARTA/status carrying it | {Stats.F(Stats.Percentile(toValue, 50))} / {Stats.F(Stats.Percentile(toValue, 99))} / {Stats.F(toValue.Max())} ms | {Stats.Ratio(Stats.Percentile(toValue, 99) / 1100)} |");
        return table.ToString();
    }

    private static string State(JsonElement status) =>
        status.TryGetProperty("fsm_state", out var state) ? state.GetString() ?? "" : "";

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (!await condition())
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"no {what} within 60 s");
    }
}
