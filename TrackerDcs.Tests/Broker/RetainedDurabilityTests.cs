using System.Diagnostics;
using System.Text.RegularExpressions;
using TrackerDcs.Tests.Support;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Broker;

/// <summary>
/// A retained QoS 1 publish that the broker acknowledged survives a crash of the process (issue 15, finding 3):
/// the real process is killed with SIGKILL while mosquitto_pub clients publish counters, and restarted on the
/// same data directory.
/// </summary>
public sealed partial class RetainedDurabilityTests(ITestOutputHelper output)
{
    private const int Cycles = 20;
    /// <summary>PUBACKs each publisher must have had before the kill: the kill lands while publishes are in flight.</summary>
    private const int AcksBeforeKill = 30;
    private static readonly string[] Topics = ["lab/durable/a", "lab/durable/b", "lab/durable/c"];
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    [Fact]
    public async Task No_acknowledged_retained_message_is_missing_after_SIGKILL()
    {
        await using var stand = new StandProcess();
        var acknowledged = Topics.ToDictionary(t => t, _ => 0L);
        var missing = new List<string>();
        var total = 0L;
        for (var cycle = 1; cycle <= Cycles; cycle++)
        {
            await stand.StartAsync();
            if (cycle > 1) CheckRetained(await RetainedAsync(stand), acknowledged, cycle, missing);

            // Counters only grow from cycle to cycle, so "at least the last acknowledged value" is a plain comparison.
            var publishers = Topics.Select((t, i) => CounterPublisher.Start(stand.MqttPort, t, $"durable-{i}", first: cycle * 1_000_000L + 1)).ToList();
            try
            {
                await Eventually.True(() => publishers.All(p => p.Acknowledged >= AcksBeforeKill), $"{AcksBeforeKill} PUBACKs on each topic in cycle {cycle}", 30);
                await stand.KillAsync();
            }
            finally
            {
                foreach (var publisher in publishers) await publisher.StopAsync();
            }
            foreach (var publisher in publishers)
            {
                total += publisher.Acknowledged;
                if (publisher.LastAcknowledgedValue is { } value) acknowledged[publisher.Topic] = value;
            }
        }
        await stand.StartAsync();
        CheckRetained(await RetainedAsync(stand), acknowledged, Cycles + 1, missing);

        output.WriteLine($"{Cycles} SIGKILL cycles, {total} acknowledged retained publishes on {Topics.Length} topics, {missing.Count} came back older than acknowledged");
        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    private static void CheckRetained(Dictionary<string, long> retained, Dictionary<string, long> acknowledged, int cycle, List<string> missing)
    {
        foreach (var (topic, last) in acknowledged)
        {
            var kept = retained.GetValueOrDefault(topic);
            // Each value is one publish: the difference is the number of acknowledged publishes lost.
            if (kept < last) missing.Add($"after kill {cycle - 1}: {topic} is {kept}, {last - kept} acknowledged publishes older than {last}");
        }
    }

    /// <summary>The retained value of each topic, read by a fresh subscriber (retained messages arrive at once on subscribing).</summary>
    private static async Task<Dictionary<string, long>> RetainedAsync(StandProcess stand)
    {
        var sub = await Mosquitto.SubAsync(stand.MqttPort, [.. Admin, "-t", "lab/durable/#", "-v", "-C", Topics.Length.ToString(), "-W", "10"]);
        return sub.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => long.Parse(parts[1]));
    }

    /// <summary>
    /// mosquitto_pub -l: each line written to it is one retained QoS 1 publish, numbered in order from 1 (the MQTT
    /// packet id, mid). With -d it prints each PUBACK with its mid, so the value acknowledged last is first + mid - 1.
    /// </summary>
    private sealed partial class CounterPublisher
    {
        private readonly Process _process;
        private readonly long _first;
        private readonly Task _feed;
        private long _lastMid;

        private CounterPublisher(Process process, string topic, long first)
        {
            _process = process;
            Topic = topic;
            _first = first;
            process.OutputDataReceived += (_, e) =>
            {
                // 3.1.1 PUBACKs carry no reason code: every one received is an acknowledgement.
                if (e.Data is not null && PubAck().Match(e.Data) is { Success: true } match)
                    Interlocked.Exchange(ref _lastMid, long.Parse(match.Groups[1].Value));
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _feed = Task.Run(FeedAsync);
        }

        public string Topic { get; }
        public long Acknowledged => Interlocked.Read(ref _lastMid);
        public long? LastAcknowledgedValue => Acknowledged == 0 ? null : _first + Acknowledged - 1;

        public static CounterPublisher Start(int port, string topic, string clientId, long first)
        {
            // stdbuf -oL: into a pipe, mosquitto_pub's stdout is block-buffered, so PUBACKs it has received would
            // reach the test late or, at the kill, never; the test would then compare against older values than acknowledged.
            var info = new ProcessStartInfo("stdbuf")
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in (string[])["-oL", "mosquitto_pub", "-h", "127.0.0.1", "-p", port.ToString(), .. Admin, "-i", clientId, "-q", "1", "-r", "-t", topic, "-l", "-d"])
                info.ArgumentList.Add(a);
            return new CounterPublisher(Process.Start(info)!, topic, first);
        }

        /// <summary>Keeps a few hundred lines ahead of the acknowledgements (bounded: 65,535 mids per connection at most).</summary>
        private async Task FeedAsync()
        {
            try
            {
                for (var i = 0L; i < 60_000 && !_process.HasExited; i++)
                {
                    while (i - Acknowledged > 200 && !_process.HasExited) await Task.Delay(5);
                    await _process.StandardInput.WriteLineAsync((_first + i).ToString());
                    await _process.StandardInput.FlushAsync();
                }
            }
            catch (IOException)
            {
                // The publisher has gone (the broker was killed, then the publisher): nothing more to feed.
            }
        }

        public async Task StopAsync()
        {
            if (!_process.HasExited) _process.Kill();
            await _process.WaitForExitAsync();
            await _feed;
            _process.Dispose();
        }

        [GeneratedRegex(@"received PUBACK \(Mid: (\d+)")]
        private static partial Regex PubAck();
    }
}
