using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.Sensors;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Web.Trends;

/// <summary>
/// A believable week of a module test stand, written into the embedded store, the alarm history and the run
/// store, so that the trend charts (and the documentation's screenshots) show real curves on a fresh machine.
/// Every day after the first: LV on at 07:30 UTC, HV at 08:00 to 200 V, HV off at 18:00, LV off at 18:15, a pedestal run at 10:00
/// and a noise run at 14:00. Day 2: an IV scan to 600 V at 11:00. Day 3: a thermal cycle, the bath from +20 °C to
/// −20 °C and back. Day 4: channel 2's current runs away at 14:10 and trips the channel (alarm raised,
/// acknowledged, cleared; its noise run fails). Sensor boxes follow the day. Readings every 5 s, as the crate
/// publishes them, with the readout resolution of each instrument. Deterministic for a seed.
/// </summary>
public sealed class DemoHistory(EmbeddedStore store, AlarmHistory alarms, IRunStore runs, DemoHistory.Clock clock)
{
    /// <summary>The time the alarm history stamps its events with: the simulated one.</summary>
    public sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private const long Step = 5_000;
    private static readonly string[] Ids = ["0", "1", "2", "3"];
    // Leakage current of each sensor at 20 °C and 200 V, in µA.
    private static readonly double[] Leakage = [1.5, 2.0, 2.5, 1.8];

    public sealed record Summary(long Points, int Runs, int AlarmEvents, DateTimeOffset From, DateTimeOffset To);

    public async Task<Summary> FillAsync(DateTimeOffset end, int days, int seed, CancellationToken ct)
    {
        var random = new Random(seed);
        var endMs = end.ToUnixTimeMilliseconds();
        var startMs = (endMs - days * 86_400_000L) / Step * Step;
        var dayZero = startMs - startMs % 86_400_000;
        double bath = 20, module = 21, tripCurrent = 0;
        var batch = new List<TimePoint>();
        var pending = new List<TimePoint>(6000);
        long points = 0;
        for (var t = startMs; t < endMs; t += Step)
        {
            ct.ThrowIfCancellationRequested();
            var day = (int)((t - dayZero) / 86_400_000);
            var hour = (t - dayZero) % 86_400_000 / 3_600_000.0;
            var working = day >= 1;
            var lvOn = working && hour is >= 7.5 and < 18.25;
            var hvOn = working && hour is >= 8 and < 18;
            var setV = 200.0;
            if (day == 2 && hour is >= 11 and < 12) setV = 50 * (1 + Math.Floor((hour - 11) * 60 / 5)); // 50 V steps every 5 min to 600 V
            // Chiller: the set point, the bath approaching it (τ 15 min), the modules following the bath (τ 5 min).
            var setpoint = day == 3 && hour is >= 8.5 and < 14 ? -20.0 : 20.0;
            var dt = Step / 1000.0;
            var cooling = bath - setpoint;
            bath += (setpoint - bath) * (1 - Math.Exp(-dt / 900));
            var heat = lvOn ? 2.5 : 0; // the modules' own power warms them above the bath
            module += (bath + heat - module) * (1 - Math.Exp(-dt / 300));
            var power = Math.Clamp(-cooling * 8, -100, 100) + (random.NextDouble() - 0.5);

            // Day 4, 14:10: channel 2's current climbs until the crate trips it at 14:12; HV back at 14:45.
            var trip = day == 4 && hour is >= 14 + 10 / 60.0 and < 14.75;
            var tripped = day == 4 && hour is >= 14.2 and < 14.75;
            batch.Clear();
            for (var c = 0; c < Ids.Length; c++)
            {
                var hvChannel = hvOn && !(c == 2 && tripped);
                var temperatureK = module + 273.15;
                var current = Leakage[c] * Math.Sqrt(setV / 200) * Math.Pow(temperatureK / 293.15, 2) * Math.Exp(-1.21 / (2 * 8.617e-5) * (1 / temperatureK - 1 / 293.15));
                if (c == 2 && trip && !tripped) current += tripCurrent = Math.Min(520, tripCurrent * 1.15 + 1);
                var status = hvChannel ? (int)CaenStatus.On : c == 2 && tripped ? (int)CaenStatus.InternalTrip : 0;
                batch.Add(new TimePoint("channels", [new("id", Ids[c]), new("module", $"module_{c}")],
                [
                    new("lv_vMon", lvOn ? Math.Round(12 + Noise(random, 0.01), 2) : Math.Round(Noise(random, 0.005), 2)),
                    new("lv_iMon", lvOn ? Math.Round(0.85 + 0.05 * c + Noise(random, 0.004), 3) : 0.0),
                    new("lv_setV", 12.0),
                    new("lv_status", (long)(lvOn ? (int)CaenStatus.On : 0)),
                    new("hv_vMon", hvChannel ? Math.Round(setV + Noise(random, 0.1), 1) : Math.Round(Math.Abs(Noise(random, 0.03)), 1)),
                    new("hv_iMon", hvChannel ? Math.Round(current * (1 + Noise(random, 0.004)), 3) : 0.0),
                    new("hv_setV", setV),
                    new("hv_status", (long)status),
                ], t));
            }
            batch.Add(new TimePoint("chiller", [],
            [
                new("internal_temp", Math.Round(bath + Noise(random, 0.02), 2)),
                new("external_temp", Math.Round(module + Noise(random, 0.02), 2)),
                new("power", Math.Round(power, 0)),
                new("setpoint_1", setpoint),
                new("used_setpoint", 1L),
            ], t));
            if (t % 10_000 == 0)
            {
                // The room follows the sun; inside the cold box dry air keeps the humidity low.
                var daily = Math.Sin((hour - 9) / 24 * 2 * Math.PI);
                var roomT = Math.Round(21.5 + 1.2 * daily + Noise(random, 0.05), 2);
                var roomH = Math.Round(42 - 6 * daily + Noise(random, 0.3), 1);
                var boxT = Math.Round(module + 1.5 + Noise(random, 0.05), 2);
                var boxH = Math.Round(9 + Noise(random, 0.2), 1);
                batch.Add(Sensor("ESP01", boxT, boxH, t));
                // Day 5, 13:00–13:20: the room's box is off its Wi-Fi.
                if (!(day == 5 && hour is >= 13 and < 13 + 1 / 3.0)) batch.Add(Sensor("ESP02", roomT, roomH, t));
            }
            pending.AddRange(batch);
            if (pending.Count >= 5000 || t + Step >= endMs)
            {
                store.Store(pending);
                points += pending.Sum(p => p.Fields.Count);
                pending.Clear();
            }
        }

        var events = 0;
        var count = 0;
        for (var day = 1; day <= days; day++)
        {
            var at = (double h) => DateTimeOffset.FromUnixTimeMilliseconds(dayZero + day * 86_400_000L + (long)(h * 3_600_000));
            if (at(10).ToUnixTimeMilliseconds() < endMs && at(10) >= DateTimeOffset.FromUnixTimeMilliseconds(startMs))
            {
                await Run("pedestal", at(10), at(10 + 40 / 60.0), RunState.Finished, null);
                await Run("noise", at(14), day == 4 ? at(14.2) : at(15.5), day == 4 ? RunState.Failed : RunState.Finished,
                    day == 4 ? "HV of channel 2 tripped" : null);
            }
            if (day == 4)
            {
                var alarm = new Alarm("caen.trip:2", "caen.trip", "2", AlarmSeverity.Major, "channel 2 HV tripped (internal trip)",
                    AlarmCatalog.ChannelTrip.Guidance, at(14.2));
                Event("raised", alarm, "TrackerDcs", at(14.2));
                Event("acknowledged", alarm with { Acknowledged = at(14.3), AcknowledgedBy = "operator" }, "operator", at(14.3));
                Event("cleared", alarm, "operator", at(14 + 40 / 60.0));
            }
            if (day == 5)
            {
                var silent = new Alarm("sensor.silent:ESP02", "sensor.silent", "ESP02", AlarmSeverity.Warning, "sensor box ESP02 silent for 60 s",
                    AlarmCatalog.SensorSilent.Guidance, at(13 + 1 / 60.0));
                Event("raised", silent, "TrackerDcs", at(13 + 1 / 60.0));
                Event("cleared", silent, "TrackerDcs", at(13 + 1 / 3.0));
            }
        }
        return new Summary(points, count, events, DateTimeOffset.FromUnixTimeMilliseconds(startMs), end);

        void Event(string name, Alarm alarm, string user, DateTimeOffset time)
        {
            if (time.ToUnixTimeMilliseconds() >= endMs || time.ToUnixTimeMilliseconds() < startMs) return;
            clock.Now = time;
            alarms.Append(name, alarm, user);
            events++;
        }

        // Only runs that ended: a run shown as going would be one the run controller has not started.
        async Task Run(string calibration, DateTimeOffset start, DateTimeOffset stop, RunState state, string? reason)
        {
            if (stop.ToUnixTimeMilliseconds() >= endMs) return;
            count++;
            await runs.SaveAsync(new RunDocument
            {
                Run = await runs.NextRunNumberAsync(ct),
                Calibration = calibration,
                Modules = ["module_0", "module_1", "module_2", "module_3"],
                Comment = "demo history",
                Operator = "operator",
                State = state,
                Reason = reason,
                StartMs = start.ToUnixTimeMilliseconds(),
                EndMs = stop.ToUnixTimeMilliseconds(),
                ExitCode = state == RunState.Finished ? 0 : 1,
            }, ct);
        }
    }

    private static double Noise(Random random, double sigma) => (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 2 * sigma;

    private static TimePoint Sensor(string box, double temperature, double humidity, long t) => new("sensors", [new("sensor", box)],
    [
        new("BME_temp", temperature),
        new("BME_humi", humidity),
        .. DewPoint.Celsius(temperature, humidity) is { } dew ? [new KeyValuePair<string, object>("BME_dew", Math.Round(dew, 2))] : Array.Empty<KeyValuePair<string, object>>(),
    ], t);
}
