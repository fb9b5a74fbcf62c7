using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.SwitchBox;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// `TrackerDcs procedure check &lt;file&gt;…`: the checks of a load, from the command line, before a file goes into
/// the procedures folder. The channel map is the one the settings name (Caen:ChannelsFile). Without a running
/// process there is no command bus: topics are checked against the built-in devices' commands, whichever are
/// enabled; the process checks again against its own bus when it loads the folder (MQTT devices included).
/// </summary>
public static class ProcedureCli
{
    private const string Usage = "usage: TrackerDcs procedure check <file.yml> [<file.yml> …]";

    public static int Run(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        if (args is not ["check", _, ..])
        {
            error.WriteLine(Usage);
            return 2;
        }
        ChannelMap map;
        try
        {
            map = ChannelMap.Load(CaenSetup.ChannelsPath(Settings.Bind<CaenOptions>(configuration, CaenOptions.Section)));
        }
        catch (Exception e) when (e is ChannelMapException or IOException or SettingsException)
        {
            error.WriteLine($"error: the channel map cannot be read: {e.Message}");
            return 1;
        }
        var rules = BuiltInRules(map, [.. configuration.GetSection("Runs:Calibrations").GetChildren().Select(c => c.Key)]);
        var failed = 0;
        foreach (var file in args[1..])
        {
            try
            {
                var procedure = ProcedureFile.Load(Path.GetFullPath(file), rules);
                output.WriteLine($"ok: {file}: procedure '{procedure.Name}', {procedure.Parameters.Count} parameters, {procedure.Steps.Count} steps, {procedure.OnAbort.Count} on_abort steps");
            }
            catch (ProcedureFileException e)
            {
                error.WriteLine(e.Message);
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The rules without a process: the built-in devices' commands, this channel map, these calibrations.</summary>
    public static ProcedureRules BuiltInRules(ChannelMap map, IReadOnlyCollection<string> calibrations)
    {
        var patterns = BuiltInCommands(map.Name).ToList();
        return new ProcedureRules(topic => patterns.Any(pattern => Matches(pattern, topic)), map, map.Name, calibrations);
    }

    /// <summary>The command topics of the devices built into the process (wildcard + for one level).</summary>
    public static IEnumerable<string> BuiltInCommands(string caenRoot) =>
    [
        .. new[] { "switch/lv", "switch/hv", "setv/lv/+", "setv/hv/+", "setramp/hv/+", "clear", "refresh", "reload", "reconnect" }.Select(c => $"{caenRoot}/cmd/{c}"),
        .. JulaboRequest.Names.Select(n => $"{JulaboTopics.Root}/cmd/{n}"),
        .. Hardware.Marta.MartaCommands.All.Select(c => $"{Devices.Marta.MartaTopics.Root}/cmd/{c.Name}"),
        SwitchBoxTopics.Command, SwitchBoxCommands.Lv, SwitchBoxCommands.Hv, SwitchBoxCommands.Channel,
        "ph2acf/cmd/start", "ph2acf/cmd/stop", "ph2acf/cmd/conditions", "ph2acf/cmd/runs",
        "alarms/cmd/ack", "alarms/cmd/shelve", "alarms/cmd/unshelve",
        .. ProcedureCommands.Names.Select(n => $"{ProcedureRunner.Root}/cmd/{n}"),
    ];

    private static bool Matches(string pattern, string topic)
    {
        var (p, t) = (pattern.Split('/'), topic.Split('/'));
        return p.Length == t.Length && p.Zip(t).All(x => x.First == "+" || x.First == x.Second);
    }
}
