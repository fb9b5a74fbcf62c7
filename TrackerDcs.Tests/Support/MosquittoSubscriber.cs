using System.Diagnostics;
using System.Threading.Channels;

namespace TrackerDcs.Tests.Support;

/// <summary>
/// A long-running mosquitto_sub whose lines (-v: "topic payload") arrive in a channel. Ready once it has
/// received a retained marker, so a test never publishes before the subscription exists.
/// </summary>
public sealed class MosquittoSubscriber : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _errors = [];
    /// <summary>Lines read while waiting for another topic, oldest first: kept for whoever waits on their topic.</summary>
    private readonly List<string> _setAside = [];

    private MosquittoSubscriber(Process process) => _process = process;

    public static async Task<MosquittoSubscriber> StartAsync(int port, string[] auth, string[] topics, params string[] extra)
    {
        var marker = $"test/ready/{Guid.NewGuid():N}";
        // The marker comes from admin: the subscriber's own account may not be allowed to publish.
        var published = await Mosquitto.PubAsync(port, [.. Mosquitto.Auth("admin", StandProcess.AdminPassword), "-t", marker, "-m", "ready", "-r", "-q", "1"]);
        if (published.ExitCode != 0) throw new InvalidOperationException($"marker publish failed: {published}");
        return await StartAsync(port, auth, [marker, .. topics], marker, extra);
    }

    /// <summary>
    /// On a broker without retained messages across its nodes (a RabbitMQ cluster keeps them per node): ready once a
    /// live marker, published with <paramref name="publisherAuth"/> every 0.3 s until it comes, has arrived.
    /// </summary>
    public static async Task<MosquittoSubscriber> StartOnLiveMarkerAsync(int port, string[] auth, string[] topics, int publisherPort,
        string[] publisherAuth, string markerTopic, params string[] extra)
    {
        var subscriber = await StartUnreadyAsync(port, auth, [markerTopic, .. topics], extra);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var published = await Mosquitto.PubAsync(publisherPort, [.. publisherAuth, "-t", markerTopic, "-m", "ready", "-q", "1"]);
            if (published.ExitCode != 0) throw new InvalidOperationException($"marker publish failed: {published}");
            if (await subscriber.NextOnAsync(markerTopic, TimeSpan.FromMilliseconds(300)) is not null) return subscriber;
        }
        string errors;
        lock (subscriber._errors) errors = string.Join('\n', subscriber._errors);
        await subscriber.DisposeAsync();
        throw new InvalidOperationException($"the live marker on {markerTopic} never arrived; mosquitto_sub said: {errors}");
    }

    /// <summary>
    /// For an account that sees only its own root (a device's): ready once the retained message the test put on
    /// <paramref name="retainedTopic"/> (one of <paramref name="topics"/>) has arrived; that message is taken.
    /// </summary>
    public static Task<MosquittoSubscriber> StartOnRetainedAsync(int port, string[] auth, string[] topics, string retainedTopic) =>
        StartAsync(port, auth, topics, retainedTopic, []);

    private static async Task<MosquittoSubscriber> StartAsync(int port, string[] auth, string[] topics, string marker, string[] extra)
    {
        var subscriber = await StartUnreadyAsync(port, auth, topics, extra);
        // A live message on one of the topics may come before the retained marker (the broker sends retained
        // messages after the subscription exists): it is set aside for the test, not taken for the marker.
        if (await subscriber.NextOnAsync(marker, TimeSpan.FromSeconds(15)) is null)
        {
            string errors;
            lock (subscriber._errors) errors = string.Join('\n', subscriber._errors);
            await subscriber.DisposeAsync();
            throw new InvalidOperationException($"the retained marker did not arrive within 15 s; mosquitto_sub said: {errors}");
        }
        return subscriber;
    }

    private static Task<MosquittoSubscriber> StartUnreadyAsync(int port, string[] auth, string[] topics, string[] extra)
    {
        var info = new ProcessStartInfo("mosquitto_sub") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-h", "127.0.0.1", "-p", port.ToString(), "-v", .. auth, .. extra, .. topics.SelectMany(t => new[] { "-t", t })])
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var subscriber = new MosquittoSubscriber(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) subscriber._lines.Writer.TryWrite(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (subscriber._errors) subscriber._errors.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return Task.FromResult(subscriber);
    }

    /// <summary>The next line, or null when none arrives in time.</summary>
    public async Task<string?> NextAsync(TimeSpan timeout)
    {
        lock (_setAside)
            if (_setAside.Count > 0)
            {
                var oldest = _setAside[0];
                _setAside.RemoveAt(0);
                return oldest;
            }
        return await ReadAsync(timeout);
    }

    /// <summary>
    /// The first line with this topic; lines of other topics are set aside, not lost (a command's reply and the
    /// status change it causes may come in either order). Null when none arrives in time.
    /// </summary>
    public async Task<string?> NextOnAsync(string topic, TimeSpan timeout)
    {
        var prefix = topic + " ";
        lock (_setAside)
        {
            var index = _setAside.FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (index >= 0)
            {
                var kept = _setAside[index];
                _setAside.RemoveAt(index);
                return kept[prefix.Length..];
            }
        }
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var line = await ReadAsync(deadline - DateTime.UtcNow);
            if (line is null) return null;
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line[prefix.Length..];
            lock (_setAside) _setAside.Add(line);
        }
        return null;
    }

    private async Task<string?> ReadAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The first payload on this topic that satisfies the condition; throws naming what never came.</summary>
    public async Task<string> WaitOnAsync(string topic, Func<string, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = new List<string>();
        while (await NextOnAsync(topic, deadline - DateTime.UtcNow) is { } payload)
        {
            if (condition(payload)) return payload;
            seen.Add(payload);
        }
        throw new TimeoutException($"{topic} never showed {what}; saw {string.Join(" | ", seen.TakeLast(5))}");
    }

    /// <summary>
    /// Publishes a command and returns the command bus's answer to it from &lt;device&gt;/reply, which this
    /// subscriber must be subscribed to.
    /// </summary>
    public async Task<System.Text.Json.JsonElement> CommandAsync(int port, string[] auth, string topic, string payload, TimeSpan timeout)
    {
        var published = await Mosquitto.PubAsync(port, [.. auth, "-q", "1", "-t", topic, "-m", payload]);
        if (published.ExitCode != 0) throw new InvalidOperationException($"publish to {topic} failed: {published}");
        var reply = await WaitOnAsync($"{topic.Split('/')[0]}/reply", r => r.Contains($"\"topic\":\"{topic}\""), timeout, $"a reply to {topic}");
        return System.Text.Json.JsonDocument.Parse(reply).RootElement;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
