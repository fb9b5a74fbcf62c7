using System.Globalization;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Hardware.Marta;

namespace TrackerDcs.Web.Simulation;

/// <summary>
/// Fault injection for a simulator running on its own: one command per line on standard input, each answered
/// with "ok: …" or "error: …" on standard output. The same faults the stand's /api/simulator endpoints inject.
/// </summary>
public static class SimulatorConsole
{
    public sealed record Command(string Usage, string Help, Func<string[], string> Run);

    public static IReadOnlyDictionary<string, Command> Caen(SimulatedCaenCrate crate) => new Dictionary<string, Command>
    {
        ["trip"] = new("trip <board> <channel>", "the channel trips now", a => { crate.Trip(Int(a, 0), Int(a, 1)); return $"tripped {a[0]}/{a[1]}"; }),
        ["load"] = new("load <board> <channel> <load>", "the module's load (LV ohms, HV megaohms); a low one draws over-current",
            a => { crate.SetLoad(Int(a, 0), Int(a, 1), Number(a, 2)); return $"load of {a[0]}/{a[1]} is {a[2]}"; }),
        ["drift"] = new("drift <board> <channel> <volts>", "an LV regulation fault offsets the output (0 repairs it)",
            a => { crate.SetDrift(Int(a, 0), Int(a, 1), Number(a, 2)); return $"drift of {a[0]}/{a[1]} is {a[2]} V"; }),
        ["unplug"] = new("unplug <board>", "the board is pulled from the crate", a => { crate.Unplug(Int(a, 0)); return $"board {a[0]} pulled"; }),
        ["plug"] = new("plug <board>", "the board is put back", a => { crate.Unplug(Int(a, 0), unplugged: false); return $"board {a[0]} back"; }),
    };

    public static IReadOnlyDictionary<string, Command> Julabo(JulaboSimulator chiller) => new Dictionary<string, Command>
    {
        ["alarm"] = new("alarm <code> <text…>", "the unit reports a negative status code",
            a => { chiller.RaiseAlarm(Int(a, 0) is var c && c < 0 ? c : throw new ArgumentException("the code must be negative"), string.Join(' ', a.Skip(1))); return $"alarm {a[0]}"; }),
        ["clear"] = new("clear", "the alarm is cleared on the unit", _ => { chiller.ClearAlarm(); return "alarm cleared"; }),
        ["manual"] = new("manual", "someone switches the unit to manual on its panel", _ => { chiller.SwitchToManual(); return "manual"; }),
        ["remote"] = new("remote", "back to remote control", _ => { chiller.SwitchToRemote(); return "remote"; }),
        ["unplug"] = new("unplug", "the cable is pulled", _ => { chiller.Unplug(); return "unplugged"; }),
        ["plug"] = new("plug", "the cable is back", _ => { chiller.Plug(); return "plugged"; }),
        ["heat"] = new("heat <kelvin>", "a heat load the unit cannot take away holds the bath that far above its aim (0 repairs it)",
            a => { chiller.ExtraHeat = Number(a, 0); return $"extra heat {a[0]} K"; }),
        ["limits"] = new("limits accept|ignore|refuse|unsupported", "how the unit takes its warning limits (OUT_SP_03/04)",
            a => { chiller.LimitWrites = Enum.TryParse<JulaboLimitWrites>(a[0], ignoreCase: true, out var w) ? w : throw new ArgumentException($"'{a[0]}' is not accept, ignore, refuse or unsupported"); return $"limit writes: {w}"; }),
        ["state"] = new("state", "what the unit is doing", _ => string.Create(CultureInfo.InvariantCulture,
            $"{chiller.UnitStatus} bath {chiller.BathTemperature:0.00} °C, set point {chiller.SelectedSetpoint} = {chiller.Setpoint(chiller.SelectedSetpoint):0.00} °C, running {chiller.Running}, warning limits {chiller.WarningLimitLow:0.00}..{chiller.WarningLimitHigh:0.00} °C")),
    };

    public static IReadOnlyDictionary<string, Command> SwitchBox(SwitchBoxSimulator box) => new Dictionary<string, Command>
    {
        ["stuck"] = new("stuck <channel>", "the channel's relay welds shut: on whatever the box is told",
            a => { box.ForceChannelOn(SwitchBoxProtocol.IsChannel(Int(a, 0)) ? Int(a, 0) : throw new ArgumentException($"channels are 1..{SwitchBoxProtocol.ChannelCount}")); return $"channel {a[0]} stuck on"; }),
        ["unstick"] = new("unstick", "every stuck relay is free again", _ => { box.Unstick(); return "relays free"; }),
        ["relays"] = new("relays <status JSON>", "someone sets the relays by hand, e.g. relays {\"lv\":0,\"hv\":1,\"channels\":3}",
            a => { box.SetRelays(SwitchBoxProtocol.ParseStatus(string.Join(' ', a))); return $"relays set: {box.Status}"; }),
        ["hang"] = new("hang", "the firmware hangs: lines are read, neither carried out nor answered", _ => { box.StopAnswering(); return "hung"; }),
        ["resume"] = new("resume", "the firmware answers again", _ => { box.Resume(); return "answering"; }),
        ["garbage"] = new("garbage <answers>", "the next answers are line noise", a => { box.SendGarbage(Int(a, 0)); return $"{a[0]} answers of noise"; }),
        ["drop"] = new("drop <answers>", "the next answers are lost on the line", a => { box.DropAnswers(Int(a, 0)); return $"{a[0]} answers lost"; }),
        ["unplug"] = new("unplug", "the cable is pulled", _ => { box.Unplug(); return "unplugged"; }),
        ["plug"] = new("plug", "the cable is back", _ => { box.Plug(); return "plugged"; }),
        ["state"] = new("state", "the relays now", _ => $"{box.Status}; {box.CommandsReceived} commands, {box.QueriesReceived} STATUS? received"),
    };

    public static IReadOnlyDictionary<string, Command> Marta(MartaSimulator plant) => new Dictionary<string, Command>
    {
        ["alarm"] = new("alarm <register>", "an alarm bit is set (a _FS or _TS bit trips the plant: status 3)",
            a => { plant.InjectAlarm(a[0]); return $"alarm bit {a[0]} set"; }),
        ["clear"] = new("clear [register]", "an alarm bit (or all of them) is cleared at the plant",
            a => { foreach (var bit in a.Length > 0 ? [a[0]] : plant.ActiveAlarms) plant.ClearAlarm(bit); return a.Length > 0 ? $"alarm bit {a[0]} cleared" : "alarm bits cleared"; }),
        ["mute"] = new("mute", "the PLC stops answering (connections stay open; clients time out)", _ => { plant.Answering = false; return "not answering"; }),
        ["answer"] = new("answer", "the PLC answers again", _ => { plant.Answering = true; return "answering"; }),
        ["drop"] = new("drop", "every Modbus connection is closed now", _ => { plant.DropConnections(); return "connections dropped"; }),
        ["panel"] = new("panel <register> <value>", "someone at the plant's own panel writes an input (a set point, a start bit 0 or 1)",
            a => { plant.WriteAtPanel(a[0], Number(a, 1)); return $"{a[0]} = {a[1]} at the panel"; }),
        ["state"] = new("state", "what the plant shows", _ => string.Create(CultureInfo.InvariantCulture,
            $"status {plant.Read("status")}, chiller {plant.Read("set_start_chiller")}, CO2 {plant.Read("set_start_co2")}, TT05_CO2 {plant.Read("TT05_CO2")} °C, PT01_CO2 {plant.Read("PT01_CO2")} bar, LP_speed {plant.Read("LP_speed")} rpm, alarm bits: {(plant.ActiveAlarms.Count == 0 ? "none" : string.Join(' ', plant.ActiveAlarms))}")),
    };

    /// <summary>Reads commands until end of input or the stop signal; then waits for the stop (a closed stdin does not end the simulator).</summary>
    public static async Task RunAsync(IReadOnlyDictionary<string, Command> commands, TextReader input, TextWriter output, CancellationToken stop)
    {
        await output.WriteLineAsync("type \"help\" for fault injection");
        await output.FlushAsync(stop);
        try
        {
            while (await input.ReadLineAsync(stop) is { } line)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (words.Length == 0) continue;
                await output.WriteLineAsync(Execute(commands, words));
                await output.FlushAsync(stop);
            }
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    private static string Execute(IReadOnlyDictionary<string, Command> commands, string[] words)
    {
        if (words[0] == "help")
            return string.Join('\n', commands.Values.Select(c => $"  {c.Usage,-32} {c.Help}"));
        if (!commands.TryGetValue(words[0], out var command))
            return $"error: unknown command '{words[0]}' (help lists them)";
        try
        {
            return $"ok: {command.Run(words[1..])}";
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            return $"error: {e.Message} (usage: {command.Usage})";
        }
    }

    private static int Int(string[] args, int i) =>
        int.TryParse(args[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"'{args[i]}' is not an integer");

    private static double Number(string[] args, int i) =>
        double.TryParse(args[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : throw new ArgumentException($"'{args[i]}' is not a number");
}
