using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TrackerDcs.Hardware;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Procedures;

/// <summary>The iv_scan step: HV stepped through the points, IMon sampled at each, stopped at compliance or breakdown.</summary>
public sealed partial class ProcedureRunner
{
    /// <summary>Between two IMon samples: the crate's monitors post a change at once, so a short interval reads fresh values.</summary>
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);
    /// <summary>How long the channels may take to reach a point (their ramp speed is channels.yml's).</summary>
    private static readonly TimeSpan ReachTimeout = TimeSpan.FromMinutes(5);

    private async Task<CommandResult> ScanIvAsync(ActiveProcedure active, ScanIv planned, StepRecord record, bool onAbort)
    {
        if (caen.View is not { Reachable: true, HvLive: true } view)
            return CommandResult.Refused($"HV is off (crate {caen.View.State}): switch it on before the scan");
        var scan = planned with { Channels = planned.Channels ?? [.. view.Channels.Where(c => c.Module is { } m && active.Document.Modules.Contains(m)).Select(c => c.Id)] };
        var ending = onAbort ? CancellationToken.None : active.Ending;
        var points = new List<IvPoint>();
        var channels = scan.Channels!;
        if (channels.Count == 0) return CommandResult.Refused("no HV channel to scan: the run's modules have none");
        var previous = channels.ToDictionary(id => id, _ => 0.0);
        // Each channel's V0Set before the scan: the operator's bias, which the scan puts back when it ends by itself.
        var before = channels.ToDictionary(id => id, id => view.Channel(id)?.Hv.SetV);
        // A ratio to a point without bias (only noise and the charging transient flow there) or to a current below 1 % of
        // compliance (the monitor's resolution) means nothing: such a point is no reference for the breakdown criterion.
        var floor = scan.Compliance / 100;
        var previousVolts = double.NaN;
        string? stopped = null;
        double? stoppedAt = null;
        var ended = false;
        try
        {
            foreach (var volts in scan.Points)
            {
                if (await SetAllAsync(active, view.Root, channels, volts) is { } refused) return CommandResult.Refused(refused);
                if (await ReachAsync(channels, volts, ending) is { } late) return CommandResult.Refused(late);
                await HoldAsync(active, scan.Settle, onAbort);
                var samples = channels.ToDictionary(id => id, _ => new List<double>());
                for (var n = 0; n < scan.Samples; n++)
                {
                    if (n > 0) await Task.Delay(SampleInterval, time, ending);
                    foreach (var id in channels)
                        if (caen.View.Channel(id)?.Hv.IMon is { } amps) samples[id].Add(amps);
                }
                var line = new List<string>();
                var measured = new List<IvPoint>();
                foreach (var id in channels)
                {
                    var values = samples[id];
                    if (values.Count == 0) return CommandResult.Refused($"channel {id}: no IMon reading at {Text(volts)} V");
                    var mean = values.Average();
                    var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
                    measured.Add(new IvPoint(id, caen.View.Channel(id)?.Module, volts, caen.View.Channel(id)?.Hv.VMon, mean, std,
                        time.GetUtcNow().ToUnixTimeMilliseconds(), signals.Read("chiller.bath") as double?, signals.Read("environment.dewpoint") as double?,
                        signals.Read("chiller.external") as double?));
                    line.Add($"channel {id} {Text(mean)}±{Text(std)} µA");
                    if (mean >= scan.Compliance)
                        stopped ??= $"compliance: channel {id} drew {Text(mean)} µA at {Text(volts)} V (compliance {Text(scan.Compliance)} µA)";
                    else if (scan.BreakdownFactor is { } k && previousVolts > 0 && previous[id] > floor && mean > k * previous[id])
                        stopped ??= $"breakdown: channel {id} drew {Text(mean)} µA at {Text(volts)} V, more than {Text(k)} × {Text(previous[id])} µA at the point before";
                    previous[id] = mean;
                }
                previousVolts = volts;
                points.AddRange(measured);
                // The points so far in the step's record as the scan goes: the run's page draws them as they come, and a
                // crash keeps them. Each point goes to InfluxDB's iv measurement as it is measured.
                record.Result = $"scanning {Data(null, points).ToJsonString(Json.Options)}";
                store.Save(active.Document);
                events.Write([.. measured.Select(p => ProcedureMeasurements.Iv(active.Document, p))]);
                await LogAsync(active, $"IV {Text(volts)} V: {string.Join(", ", line)}");
                if (stopped is not null)
                {
                    await LogAsync(active, $"IV scan stopped, {stopped}");
                    stoppedAt = volts;
                    break;
                }
            }
            ended = true;
        }
        finally
        {
            // Always back down, also when the run ends meanwhile: a sensor is never left biased at the top of a scan.
            var bottom = scan.Points[0];
            var problem = await SetAllAsync(active, view.Root, channels, bottom) ?? await ReachAsync(channels, bottom, CancellationToken.None);
            if (problem is not null)
                log.LogError("Procedure run {Run}: the IV scan's ramp down to {Volts} V failed: {Problem}", active.Document.Run, bottom, problem);
            ended &= problem is null;
        }
        if (ended && await RestoreAsync(active, view.Root, scan.Points[0], before, stoppedAt, ending) is { } unrestored)
            return CommandResult.Refused(unrestored);
        return CommandResult.Success(Data(stopped, points));
    }

    /// <summary>
    /// After a scan that ended by itself and ramped down: each channel's V0Set back to what it was before the scan, so
    /// that the kept set point (what a restart writes) and the next HV on are the operator's bias, not the scan's bottom
    /// or one of its points; a channel still on ramps back there, as it was before the scan. A set point at or above the
    /// voltage where the scan stopped (compliance or breakdown) is not put back: the channel stays at the bottom, and
    /// the log says so, for the operator to decide. A run that ends during the scan (abort, fatal alarm) puts nothing
    /// back: its on_abort makes the stand safe. Null, or why a set point could not be put back (which fails the run).
    /// </summary>
    private async Task<string?> RestoreAsync(ActiveProcedure active, string root, double bottom, Dictionary<string, double?> before,
        double? stoppedAt, CancellationToken ending)
    {
        foreach (var (id, setV) in before)
        {
            if (setV is not { } volts || volts == bottom) continue;
            if (stoppedAt is { } limit && volts >= limit)
            {
                await LogAsync(active, $"channel {id} stays at {Text(bottom)} V: its set point before the scan, {Text(volts)} V, is at or above the {Text(limit)} V where the scan stopped");
                continue;
            }
            var set = await SendAsync(active, new SendCommand($"{root}/cmd/setv/hv/{id}", Text(volts)));
            if (!set.Ok) return $"{root}/cmd/setv/hv/{id} {Text(volts)} (the set point before the scan) refused: {set.Error}";
            if (caen.View.Channel(id)?.Hv.On == true && await ReachAsync([id], volts, ending) is { } late) return late;
            await LogAsync(active, $"channel {id} back at its set point before the scan, {Text(volts)} V");
        }
        return null;
    }

    /// <summary>A scan's data as its step's result carries it (<see cref="IvScanResult"/>).</summary>
    private static JsonObject Data(string? stopped, List<IvPoint> points) =>
        new() { ["stopped"] = stopped, ["points"] = JsonSerializer.SerializeToNode(points, Json.Options) };

    private async Task<string?> SetAllAsync(ActiveProcedure active, string root, IReadOnlyList<string> channels, double volts)
    {
        foreach (var id in channels)
        {
            var set = await SendAsync(active, new SendCommand($"{root}/cmd/setv/hv/{id}", Text(volts)));
            if (!set.Ok) return $"{root}/cmd/setv/hv/{id} {Text(volts)} refused: {set.Error}";
        }
        return null;
    }

    /// <summary>Waits until every channel's VMon is at the point (within 1 V or 1 %) and none ramps; null, or why not.</summary>
    private async Task<string?> ReachAsync(IReadOnlyList<string> channels, double volts, CancellationToken ending)
    {
        var start = time.GetTimestamp();
        while (true)
        {
            var late = channels.FirstOrDefault(id => caen.View.Channel(id)?.Hv is not { VMon: { } v, Ramping: false } || Math.Abs(v - volts) > Math.Max(1, 0.01 * volts));
            if (late is null) return null;
            if (time.GetElapsedTime(start) > ReachTimeout)
                return $"channel {late} did not reach {Text(volts)} V within {ReachTimeout.TotalSeconds:0} s (VMon {Text(caen.View.Channel(late)?.Hv.VMon)} V)";
            await Task.Delay(Tick, time, ending);
        }
    }

    private static string Text(double? value) => value is { } v ? Math.Round(v, 4).ToString(CultureInfo.InvariantCulture) : "unknown";
}
