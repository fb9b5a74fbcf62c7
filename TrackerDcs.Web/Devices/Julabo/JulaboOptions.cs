using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Devices.Julabo;

/// <summary>
/// Section "Julabo": the chiller's link and device settings (<see cref="JulaboSettings"/>), and what only the host
/// decides: Port "simulated" serves a simulated unit in this process, which follows its set point this fast.
/// Time spans bind from strings such as "00:00:00.250".
/// </summary>
public sealed class JulaboOptions : JulaboSettings, ISettingsSection
{
    public const string SectionName = "Julabo";
    public static string Section => SectionName;

    /// <summary>With Port "simulated": how fast the simulated bath follows its set point.</summary>
    public TimeSpan SimulatedTimeConstant { get; set; } = TimeSpan.FromMinutes(3);

    public override IReadOnlyList<string> Validate() => SimulatedTimeConstant > TimeSpan.Zero
        ? base.Validate()
        : [.. base.Validate(), "Julabo:SimulatedTimeConstant must be positive"];

    public IEnumerable<SettingsProblem> Problems() => Validate().Select(problem => new SettingsProblem(KeyOf(problem), problem));

    /// <summary>The setting a problem from <see cref="Validate"/> is about ("Julabo:WarningLimitLow"), for the start-up error.</summary>
    public static string KeyOf(string problem)
    {
        var key = problem.Split(' ', 2)[0];
        return key.StartsWith(SectionName + ":", StringComparison.Ordinal) ? key : SectionName;
    }
}
