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
    /// <summary>How long the channels may take to settle at a point, on top of the ramp at the scan's rate.</summary>
    private static readonly TimeSpan ReachTimeout = TimeSpan.FromMinutes(5);
    /// <summary>
    /// How often the scan looks whether the channels are at a point: the view is in memory, so this costs nothing, and
    /// half of it is lost on average at every point (the runner's 200 ms tick would add 8 s to a scan of 81 points).
    /// </summary>
    private static readonly TimeSpan ReachPoll = TimeSpan.FromMilliseconds(20);

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
        // Each channel's RUp and RDWn before the scan, for the channels whose rates the scan has set: put back after it.
        var rates = new Dictionary<string, (double Up, double Down)>();
        string? ratesLeft = null;
        try
        {
            if (scan.RampRate is { } rate)
                foreach (var id in channels)
                {
                    var own = RampRates(id);
                    if (await SetRampAsync(active, view.Root, id, rate, rate) is { } refused) return CommandResult.Refused(refused);
                    rates[id] = own;
                }
            foreach (var volts in scan.Points)
            {
                if (await SetAllAsync(active, view.Root, channels, volts) is { } refused) return CommandResult.Refused(refused);
                if (await ReachAsync(channels, volts, scan.RampRate, ending) is { } late) return CommandResult.Refused(late);
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
                        signals.Read("chiller.external") as double?, signals.Read(scan.Temperature) as double?));
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
                await RecordAsync(active);
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
            var problem = await SetAllAsync(active, view.Root, channels, bottom, protective: true) ?? await ReachAsync(channels, bottom, scan.RampRate, CancellationToken.None);
            if (problem is not null)
                log.LogError("Procedure run {Run}: the IV scan's ramp down to {Volts} V failed: {Problem}", active.Document.Run, bottom, problem);
            // The channels' own ramp rates back, also when the run ends meanwhile: the next ramp is the operator's again.
            foreach (var (id, (up, down)) in rates)
                if (await SetRampAsync(active, view.Root, id, up, down) is { } unset)
                {
                    log.LogError("Procedure run {Run}: the ramp rates before the IV scan could not be put back: {Problem}", active.Document.Run, unset);
                    ratesLeft ??= $"{unset} (the ramp rates before the scan)";
                }
            ended &= problem is null;
        }
        if (ended && ratesLeft is not null) return CommandResult.Refused(ratesLeft);
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
            if (caen.View.Channel(id)?.Hv.On == true && await ReachAsync([id], volts, null, ending) is { } late) return late;
            await LogAsync(active, $"channel {id} back at its set point before the scan, {Text(volts)} V");
        }
        return null;
    }

    /// <summary>A scan's data as its step's result carries it (<see cref="IvScanResult"/>).</summary>
    private static JsonObject Data(string? stopped, List<IvPoint> points) =>
        new() { ["stopped"] = stopped, ["points"] = JsonSerializer.SerializeToNode(points, Json.Options) };

    private async Task<string?> SetAllAsync(ActiveProcedure active, string root, IReadOnlyList<string> channels, double volts, bool protective = false)
    {
        foreach (var id in channels)
        {
            var set = await SendAsync(active, new SendCommand($"{root}/cmd/setv/hv/{id}", Text(volts)), protective);
            if (!set.Ok) return $"{root}/cmd/setv/hv/{id} {Text(volts)} refused: {set.Error}";
        }
        return null;
    }

    /// <summary>
    /// Waits until every channel's VMon is at the point (within 1 V or 1 %) and none ramps; null, or why not. With a ramp
    /// rate the channels may take the farthest one's distance at that rate on top of <see cref="ReachTimeout"/> (800 V at
    /// 1 V/s is more than 13 minutes); without one, the channels' own speed is channels.yml's, and 5 minutes is plenty.
    /// </summary>
    private async Task<string?> ReachAsync(IReadOnlyList<string> channels, double volts, double? rate, CancellationToken ending)
    {
        var start = time.GetTimestamp();
        var distance = channels.Max(id => caen.View.Channel(id)?.Hv.VMon is { } v ? Math.Abs(v - volts) : 0);
        var timeout = ReachTimeout + (rate is { } r ? TimeSpan.FromSeconds(distance / r) : TimeSpan.Zero);
        while (true)
        {
            var late = channels.FirstOrDefault(id => caen.View.Channel(id)?.Hv is not { VMon: { } v, Ramping: false } || Math.Abs(v - volts) > Math.Max(1, 0.01 * volts));
            if (late is null) return null;
            if (time.GetElapsedTime(start) > timeout)
                return $"channel {late} did not reach {Text(volts)} V within {timeout.TotalSeconds:0} s (VMon {Text(caen.View.Channel(late)?.Hv.VMon)} V)";
            await Task.Delay(ReachPoll, time, ending);
        }
    }

    /// <summary>dcs/cmd/setramp/hv/&lt;id&gt; through the bus as the procedure; null, or why it was refused.</summary>
    private async Task<string?> SetRampAsync(ActiveProcedure active, string root, string id, double up, double down)
    {
        var payload = new JsonObject { ["up"] = up, ["down"] = down }.ToJsonString(Json.Options);
        var set = await SendAsync(active, new SendCommand($"{root}/cmd/setramp/hv/{id}", payload));
        return set.Ok ? null : $"{root}/cmd/setramp/hv/{id} {payload} refused: {set.Error}";
    }

    /// <summary>A channel's HV ramp rates (V/s) as the crate reports them, or its settings' while they are not read yet.</summary>
    private (double Up, double Down) RampRates(string id)
    {
        var channel = caen.View.Channel(id)!;
        double Rate(string field, string setting) =>
            channel.Fields.Where(f => f.Key == field).Select(f => (double?)f.Value).FirstOrDefault()
            ?? Convert.ToDouble(channel.Settings.First(s => s.Key == setting).Value, CultureInfo.InvariantCulture);
        return (Rate("hv_rampUpSpeed", "hv.rampUpSpeed"), Rate("hv_rampDwnSpeed", "hv.rampDwnSpeed"));
    }

    private static string Text(double? value) => value is { } v ? Math.Round(v, 4).ToString(CultureInfo.InvariantCulture) : "unknown";
}
