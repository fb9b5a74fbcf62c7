using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// How fast the panel follows the stand: the simulated crate's load is changed over the HTTP API, and Chromium records
/// (MutationObserver, same machine clock) when the channel's IMon cell shows the new current. The time includes the
/// HTTP request, the Channel Access monitor, the driver, the panel feed's coalescing and the SignalR render.
/// Also the server's resident memory per connected panel. Results go to docs/performance.md.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class PanelLatencyTests(PanelStand panel)
{
    private const int Samples = 30;
    private const int ExtraPanels = 5;

    [Fact]
    public async Task A_device_change_reaches_the_page_and_its_latency_is_reported()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "admin", Support.StandProcess.AdminPassword, "/power");
        var crate = page.GetByLabel("Crate state");
        await Expect(crate).ToHaveTextAsync("LV_OFF", new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "LV on", Exact = true }).ClickAsync();
        await Expect(crate).ToHaveTextAsync("LV_ON", new() { Timeout = 15_000 });

        await page.EvaluateAsync("""
            () => {
              // The whole document is watched: the renderer may replace the cell's elements, not only its text.
              const read = () => document.querySelector('[aria-label="Channel 0 LV monitor"]')?.textContent ?? '';
              window.__changes = [];
              let last = read();
              new MutationObserver(() => {
                const now = read();
                if (now !== last) { last = now; window.__changes.push({ t: Date.now(), text: now }); }
              }).observe(document.body, { subtree: true, characterData: true, childList: true });
            }
            """);
        var latencies = new List<double>();
        for (var i = 0; i < Samples; i++)
        {
            // 12 V over 5 Ω or 6 Ω: 2.400 A or 2.000 A.
            var (ohms, amps) = i % 2 == 0 ? (5, 2.4) : (6, 2.0);
            var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await panel.Stand.PostAsAdminAsync($"/api/simulator/caen/load/0/0?value={ohms}");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            double? seen = null;
            while (seen is null && DateTime.UtcNow < deadline)
            {
                seen = await page.EvaluateAsync<double?>(
                    """
                    ([start, amps]) => {
                      const c = window.__changes.find(c => c.t >= start && Math.abs(parseFloat(c.text.split('V')[1]) - amps) < 0.05);
                      return c ? c.t - start : null;
                    }
                    """,
                    new object[] { start, amps });
                if (seen is null) await Task.Delay(20);
            }
            Assert.True(seen is not null, $"IMon {amps} A never appeared after load {ohms} Ω; the cell reads " +
                await page.GetByLabel("Channel 0 LV monitor").TextContentAsync() + "; changes seen: " +
                await page.EvaluateAsync<string>("() => JSON.stringify(window.__changes.slice(-5))"));
            latencies.Add(seen!.Value);
            await Task.Delay(150);
        }
        await panel.Stand.PostAsAdminAsync("/api/simulator/caen/load/0/0?value=6");

        var (before, after) = await MemoryPerPanelAsync(context);

        await page.GetByRole(AriaRole.Button, new() { Name = "LV off", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch LV off" }).ClickAsync();
        await Expect(crate).ToHaveTextAsync("LV_OFF", new() { Timeout = 15_000 });

        latencies.Sort();
        var p50 = Percentile(latencies, 0.50);
        var p99 = Percentile(latencies, 0.99);
        WriteReport(latencies, p50, p99, before, after);
        // The figure is reported, not asserted: speed targets live in the benchmark report, not in a pass/fail on a shared machine.
    }

    /// <summary>Server RSS with one panel open, then with <see cref="ExtraPanels"/> more live Power pages.</summary>
    private async Task<(long Before, long After)> MemoryPerPanelAsync(IBrowserContext context)
    {
        var before = Rss();
        var pages = new List<IPage>();
        for (var i = 0; i < ExtraPanels; i++)
        {
            var page = await panel.OpenAsync(context, "/power");
            await Expect(page.GetByLabel("Crate state")).ToBeVisibleAsync();
            pages.Add(page);
        }
        await Task.Delay(1000);
        var after = Rss();
        foreach (var page in pages) await page.CloseAsync();
        return (before, after);
    }

    private long Rss()
    {
        var status = File.ReadAllLines($"/proc/{panel.Stand.ProcessId}/status").First(l => l.StartsWith("VmRSS:"));
        return long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    private static void WriteReport(List<double> sorted, double p50, double p99, long before, long after)
    {
        var path = Repository.File("docs", "performance.md");
        var perPanel = (after - before) / (double)ExtraPanels / (1024 * 1024);
        var text = new StringBuilder()
            .AppendLine("# Control panel performance")
            .AppendLine()
            .AppendLine("Written by `TrackerDcs.Tests/Panel/PanelLatencyTests.cs` on the test machine (2 cores, shared), against the")
            .AppendLine("simulated crate, headless Chromium on the same machine. Time from the HTTP request that changes the simulated")
            .AppendLine("load of channel 0 to the moment Chromium's DOM shows the new IMon (Channel Access monitor → driver → panel feed,")
            .AppendLine($"coalesced {PanelFeed()} ms → SignalR render), {sorted.Count} samples:")
            .AppendLine()
            .AppendLine("| p50 | p99 | min | max |")
            .AppendLine("|---|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| {p50:0} ms | {p99:0} ms | {sorted[0]:0} ms | {sorted[^1]:0} ms |")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Server resident memory: {before / (1024.0 * 1024):0} MiB with one panel, {after / (1024.0 * 1024):0} MiB with {ExtraPanels} more live Power pages:")
            .AppendLine(CultureInfo.InvariantCulture, $"about {perPanel:0.0} MiB per connected panel (RSS, so garbage-collector noise of a few MiB either way).")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        // Only this section of the shared report is replaced; the other benches' sections stay.
        const string begin = "<!-- panel-latency:begin -->", end = "<!-- panel-latency:end -->";
        var section = $"{begin}\n{text}{end}\n";
        var report = File.Exists(path) ? File.ReadAllText(path) : "";
        var from = report.IndexOf(begin, StringComparison.Ordinal);
        var to = report.IndexOf(end, StringComparison.Ordinal);
        report = from >= 0 && to > from
            ? report[..from] + section + report[(to + end.Length)..].TrimStart('\n')
            : report.TrimEnd('\n') + "\n\n" + section;
        File.WriteAllText(path, report);
    }

    private static int PanelFeed() => (int)TrackerDcs.Web.Panel.Services.PanelFeed.Coalesce.TotalMilliseconds;
}
