using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Platform;

/// <summary>
/// A running stand's own log lines: each entry starts with its time in UTC, ISO 8601, by default;
/// Logging:Console:FormatterOptions:* take effect; Logging:Console:FormatterName=json gives one JSON object a line.
/// </summary>
public sealed partial class LogLineTests
{
    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex Entry();

    [Fact]
    public async Task Every_entry_starts_with_its_utc_iso_8601_time_by_default()
    {
        // An empty formatter name is the default one (the test stands otherwise name "simple").
        await using var stand = new StandProcess(new Dictionary<string, string> { ["Logging:Console:FormatterName"] = "" });
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await stand.StartAsync();
        var after = DateTimeOffset.UtcNow.AddSeconds(1);

        // Entries are a header line and indented message lines.
        var headers = stand.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith(' ')).ToList();
        Assert.True(headers.Count > 10, stand.Log);
        Assert.All(headers, h => Assert.Matches(Entry(), h));
        var times = headers.Select(h => DateTimeOffset.Parse(Entry().Match(h).Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.All(times, t => Assert.InRange(t, before, after));
        Assert.Contains(headers, h => h.Contains("info: Microsoft.Hosting.Lifetime"));
    }

    [Fact]
    public async Task Json_lines_for_a_log_collector_with_the_formatter_options_from_the_settings()
    {
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-dd'T'HH:mm:ss'Z'",
        });
        await stand.StartAsync();

        var lines = stand.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length > 10, stand.Log);
        foreach (var line in lines)
        {
            var entry = JsonDocument.Parse(line).RootElement;
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", entry.GetProperty("Timestamp").GetString());
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("Message").GetString()));
        }
        Assert.Contains(lines, l => l.Contains("\"Category\":\"Microsoft.Hosting.Lifetime\""));
    }
}
