using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Devices.Sensors;

/// <summary>Section "Sensors". The real boxes need no settings: they publish on the broker by themselves.</summary>
public sealed class SensorsOptions : ISettingsSection
{
    public static string Section => "Sensors";

    /// <summary>True: this process runs a simulated sensor box that publishes like a real one (off by default: a lab has real boxes).</summary>
    public bool Simulated { get; set; }

    /// <summary>The simulated box's name, the first level of its topics (ESP boxes in the seed).</summary>
    public string SimulatedBox { get; set; } = "ESP90";

    /// <summary>How often the simulated box sends a round of readings.</summary>
    public TimeSpan SimulatedPeriod { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<SettingsProblem> Problems()
    {
        if (string.IsNullOrWhiteSpace(SimulatedBox) || SimulatedBox.IndexOfAny(['/', '+', '#']) >= 0)
            yield return new("Sensors:SimulatedBox", $"'{SimulatedBox}' is not a topic level (not empty, no / + #)");
        if (SimulatedPeriod <= TimeSpan.Zero) yield return new("Sensors:SimulatedPeriod", $"{SimulatedPeriod} must be positive");
    }
}
