using System.Reflection;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Alarms;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// What a procedure file is checked against: the stand's command topics (in the process, the command bus's
/// routes; from the command line, the built-in devices' topics), the channel map for HV limits, the alarm codes,
/// the configured calibrations.
/// </summary>
public sealed class ProcedureRules(Func<string, bool> isCommand, ChannelMap? channels, string caenRoot, IReadOnlyCollection<string> calibrations)
{
    /// <summary>The codes a procedure may name as fatal: the catalogue's and the interlocks'.</summary>
    public static readonly IReadOnlySet<string> KnownAlarmCodes = typeof(AlarmCatalog)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => f.GetValue(null)).OfType<AlarmDefinition>().Select(d => d.Code)
        .Append("interlock").ToHashSet();

    public bool IsCommand(string topic) => isCommand(topic);
    public ChannelMap? Channels => channels;
    public string CaenRoot => caenRoot;
    public IReadOnlySet<string> AlarmCodes => KnownAlarmCodes;
    /// <summary>The calibrations of the settings (Runs:Calibrations), which a calibration step may name.</summary>
    public IReadOnlyCollection<string> Calibrations => calibrations;

    /// <summary>The channel id of an HV set-point topic (dcs/cmd/setv/hv/&lt;id&gt;), else null.</summary>
    public string? HvChannel(string topic) =>
        topic.Split('/') is [var root, "cmd", "setv", "hv", var id] && root == caenRoot ? id : null;
}
