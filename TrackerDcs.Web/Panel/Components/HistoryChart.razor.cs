using System.Globalization;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.History;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// A series from the time-series store, decimated there (min/max per bucket, one bucket per column), drawn as a
/// min–max band and the last value of each bucket. The store is optional: without one registered the chart says
/// "no history store" instead of failing.
/// </summary>
public partial class HistoryChart
{
    private const int Width = 600;

    [Inject] private IServiceProvider Services { get; set; } = default!;

    [Parameter, EditorRequired] public string Measurement { get; set; } = "";
    [Parameter, EditorRequired] public string Field { get; set; } = "";
    [Parameter] public IReadOnlyDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
    [Parameter] public string Unit { get; set; } = "";
    [Parameter] public TimeSpan Range { get; set; } = TimeSpan.FromHours(1);
    [Parameter] public int Columns { get; set; } = 300;

    private IHistoryReader? Reader { get; set; }
    private IReadOnlyList<HistoryBucket> Buckets { get; set; } = [];
    private string? Error { get; set; }
    private double Low => Buckets.Min(b => b.Min);
    private double High => Buckets.Max(b => b.Max);

    protected override async Task OnParametersSetAsync()
    {
        Reader = Services.GetService<IHistoryReader>();
        if (Reader is null) return;
        try
        {
            var to = DateTimeOffset.UtcNow;
            Buckets = await Reader.ReadAsync(Measurement, Tags, Field, to - Range, to, Columns, CancellationToken.None);
            Error = null;
        }
        catch (Exception e)
        {
            Error = e.Message;
        }
    }

    private string Band =>
        string.Join(' ', Buckets.Select((b, i) => Point(i, b.Max)).Concat(Buckets.Select((b, i) => Point(i, b.Min)).Reverse()));

    private string LastLine => string.Join(' ', Buckets.Select((b, i) => Point(i, b.Last)));

    private string Point(int index, double value)
    {
        var x = Buckets.Count == 1 ? Width / 2.0 : index * (double)Width / (Buckets.Count - 1);
        var span = High - Low;
        var y = span <= 0 ? 60 : 115 - (value - Low) / span * 110;
        return string.Create(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#}");
    }
}
