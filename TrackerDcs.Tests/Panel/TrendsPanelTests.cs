using System.Globalization;
using Microsoft.Playwright;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;
using TrackerDcs.Web.Trends;
using static Microsoft.Playwright.Assertions;
using TrackerDcs.Web.History;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// The trend chart and the Trends page in Debian's Chromium, against the stand with its demo week: the address
/// restores a view, the CSV holds exactly the recorded readings of an undecimated range, the cursor read-out shows
/// a recorded value, a drag zooms, a preset changes the range, and a device page's chart opens on the Trends page.
/// The recorded values are read from the stand's database, as its own store reads them.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class TrendsPanelTests(PanelStand panel)
{
    private const string Bath = "chiller.internal_temp";
    private const string HvCurrent0 = "channels.hv_iMon[id=0]";

    /// <summary>15 minutes of the demo (every 5 s: 180 readings), three hours back: within the raw retention, before the stand's own readings.</summary>
    private (DateTimeOffset From, DateTimeOffset To) QuietRange()
    {
        var to = DateTimeOffset.FromUnixTimeSeconds(panel.DemoEnd.AddHours(-3).ToUnixTimeSeconds() / 60 * 60);
        return (to.AddMinutes(-15), to);
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string Query(IEnumerable<string> signals, DateTimeOffset from, DateTimeOffset to) =>
        string.Join('&', signals.Select(s => $"signal={Uri.EscapeDataString(s)}")) + $"&from={Uri.EscapeDataString(Iso(from))}&to={Uri.EscapeDataString(Iso(to))}";

    private async Task<TrendSeries> RecordedAsync(string signal, DateTimeOffset from, DateTimeOffset to)
    {
        var store = new EmbeddedStore(new Database(Path.Combine(panel.Stand.DataDirectory, "trackerdcs.db")), new TimeSeriesOptions(), TimeProvider.System);
        SignalId.TryParse(signal, out var id, out _);
        var recorded = await store.ReadAsync(id!, from, to, 8192, CancellationToken.None);
        Assert.False(recorded.Decimated);
        return recorded;
    }

    private static ILocator Chart(IPage page) => page.Locator("[data-testid='trend-chart']");

    private static async Task<(long From, long To)> ShownAsync(IPage page) =>
        (long.Parse((await Chart(page).GetAttributeAsync("data-from"))!), long.Parse((await Chart(page).GetAttributeAsync("data-to"))!));

    private async Task<(IBrowserContext Context, IPage Page)> OpenAsync(string path)
    {
        var context = await panel.ContextAsync(1400, 900);
        // A viewer: reading history needs no more.
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, path);
        await Expect(page.Locator("[data-testid='trend-chart'][data-state='ready']").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        return (context, page);
    }

    [Fact]
    public async Task The_address_restores_a_view_and_the_csv_holds_exactly_the_recorded_readings()
    {
        var (from, to) = QuietRange();
        var (context, page) = await OpenAsync($"/trends?{Query([Bath, HvCurrent0], from, to)}");
        await using var _ = context;
        await Expect(page.GetByLabel($"Signal {Bath}")).ToContainTextAsync("Chiller bath temperature [°C]");
        await Expect(page.GetByLabel($"Signal {HvCurrent0}")).ToContainTextAsync("ch 0 hv_iMon [µA]");
        Assert.Equal((from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds()), await ShownAsync(page));
        Assert.Equal("false", await Chart(page).GetAttributeAsync("data-decimated"));

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download CSV" }).ClickAsync());
        var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!)).ToList();
        Assert.Equal("time_utc,Chiller bath temperature (°C),ch 0 hv_iMon (µA)", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var (signal, column) in new[] { (Bath, 1), (HvCurrent0, 2) })
        {
            var recorded = await RecordedAsync(signal, from, to);
            var shown = rows.Where(r => r[column] != "")
                .Select(r => (DateTimeOffset.Parse(r[0], CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), double.Parse(r[column], CultureInfo.InvariantCulture))).ToList();
            Assert.Equal(180, recorded.Times.Count);
            Assert.Equal(recorded.Times.Zip(recorded.Values, (t, v) => (t, v!.Value)), shown);
        }
    }

    [Fact]
    public async Task The_cursor_read_out_shows_the_recorded_value()
    {
        var (from, to) = QuietRange();
        var (context, page) = await OpenAsync($"/trends?{Query([Bath], from, to)}");
        await using var _ = context;
        var recorded = await RecordedAsync(Bath, from, to);
        var box = (await page.Locator(".u-over").BoundingBoxAsync())!;
        foreach (var i in new[] { 37, 90, 151 })
        {
            var x = box.X + (recorded.Times[i] - from.ToUnixTimeMilliseconds()) / (double)(to - from).TotalMilliseconds * box.Width;
            await page.Mouse.MoveAsync((float)x, box.Y + box.Height / 2);
            var value = recorded.Values[i]!.Value.ToString("R", CultureInfo.InvariantCulture);
            await Expect(page.GetByLabel("Cursor read-out")).ToContainTextAsync($"Chiller bath temperature: {value} °C");
            await Expect(page.GetByLabel("Cursor read-out")).ToContainTextAsync(DateTimeOffset.FromUnixTimeMilliseconds(recorded.Times[i]).UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + ".000 UTC");
        }
    }

    [Fact]
    public async Task Dragging_zooms_into_the_range_and_a_preset_changes_it()
    {
        var (from, to) = QuietRange();
        var (context, page) = await OpenAsync($"/trends?{Query([Bath, HvCurrent0], from, to)}");
        await using var _ = context;
        var box = (await page.Locator(".u-over").BoundingBoxAsync())!;
        var y = box.Y + box.Height / 2;
        await page.Mouse.MoveAsync(box.X + box.Width * 0.25f, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width * 0.75f, y, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        var span = (to - from).TotalMilliseconds;
        await Expect(Chart(page)).Not.ToHaveAttributeAsync("data-from", from.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("[data-testid='trend-chart'][data-state='ready']")).ToBeVisibleAsync();
        var (zoomFrom, zoomTo) = await ShownAsync(page);
        Assert.InRange(zoomFrom - from.ToUnixTimeMilliseconds(), span * 0.23, span * 0.27);
        Assert.InRange(zoomTo - from.ToUnixTimeMilliseconds(), span * 0.73, span * 0.77);
        // The address follows, so the zoomed view can be shared.
        await page.WaitForFunctionAsync($"location.search.includes('from={Uri.EscapeDataString(Iso(DateTimeOffset.FromUnixTimeMilliseconds(zoomFrom)))}')");

        await page.GetByRole(AriaRole.Button, new() { Name = "Last 6 h" }).ClickAsync();
        await page.WaitForFunctionAsync("location.search.includes('range=6h')");
        await Expect(page.Locator("[data-testid='trend-chart'][data-state='ready']")).ToBeVisibleAsync();
        var (presetFrom, presetTo) = await ShownAsync(page);
        Assert.Equal(6 * 3_600_000L, presetTo - presetFrom);
        Assert.True(presetTo > panel.DemoEnd.ToUnixTimeMilliseconds(), "the preset follows the present");
    }

    [Fact]
    public async Task A_device_page_s_chart_opens_on_the_trends_page_with_its_signals()
    {
        var (context, page) = await OpenAsync("/chiller");
        await using var _ = context;
        await page.GetByRole(AriaRole.Link, new() { Name = "Open in Trends" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Trends" })).ToBeVisibleAsync();
        foreach (var signal in new[] { "chiller.internal_temp", "chiller.external_temp", "chiller.power" })
            await Expect(page.GetByLabel($"Signal {signal}")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid='trend-chart'][data-state='ready']")).ToBeVisibleAsync();
        Assert.True(int.Parse((await Chart(page).GetAttributeAsync("data-points"))!) > 100);
    }
}
