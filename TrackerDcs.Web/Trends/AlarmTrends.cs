using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.History;

namespace TrackerDcs.Web.Trends;

/// <summary>
/// Alarms on the trend charts, from the alarm history: each raised alarm is an annotation, and each alarm key is a
/// signal, <c>alarms.active[key=…]</c>, 1 while it is raised and 0 once cleared, drawn as steps.
/// </summary>
public sealed class AlarmTrends(AlarmHistory history) : ITrendSource, ITrendAnnotations
{
    private const string Measurement = "alarms";
    private const string Field = "active";
    /// <summary>The history read for a chart: enough for months of a stand's alarm events, bounded for a flood.</summary>
    private const int MaxEvents = 20_000;

    public bool Serves(SignalId signal) => signal.Measurement == Measurement && signal.Field == Field && signal.Tag("key") is not null;

    public Task<IReadOnlyList<SignalInfo>> SignalsAsync(CancellationToken cancellationToken)
    {
        var keys = history.Query(DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, MaxEvents).Select(e => e.Key).Distinct().Order();
        IReadOnlyList<SignalInfo> signals = [.. keys.Select(key =>
            new SignalInfo(new SignalId(Measurement, Field, [new("key", key)]).Key, $"alarm {key}", "Alarms", ""))];
        return Task.FromResult(signals);
    }

    public Task<TrendSeries> ReadAsync(SignalId signal, DateTimeOffset from, DateTimeOffset to, int width, CancellationToken cancellationToken)
    {
        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        var key = signal.Tag("key");
        // Oldest first, from the beginning: the state at the start of the range is that of the last event before it.
        var events = history.Query(DateTimeOffset.UnixEpoch, to, MaxEvents).Where(e => e.Key == key).Reverse();
        var decimator = new M4Decimator(fromMs, toMs, width, long.MaxValue / 4);
        double? state = null;
        foreach (var e in events)
        {
            double? next = e.Event switch { "raised" => 1, "cleared" => 0, _ => state };
            var time = e.Time.ToUnixTimeMilliseconds();
            if (time < fromMs)
            {
                state = next;
                continue;
            }
            if (state is null && next is not null) decimator.Add(fromMs, 0);
            if (state is { } before && next != state) decimator.Add(time - 1, before);
            if (next is { } after && next != state) decimator.Add(time, after);
            state = next;
        }
        if (state is { } last)
        {
            decimator.Add(fromMs, last);
            decimator.Add(toMs - 1, last);
        }
        return Task.FromResult(decimator.Finish());
    }

    Task<IReadOnlyList<TrendAnnotation>> ITrendAnnotations.ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        IReadOnlyList<TrendAnnotation> marks = [.. history.Query(from, to, 500).Where(e => e.Event == "raised").Reverse()
            .Select(e => new TrendAnnotation(e.Time.ToUnixTimeMilliseconds(), null, "alarm", $"{e.Key}: {e.Message}", e.Severity))];
        return Task.FromResult(marks);
    }
}
