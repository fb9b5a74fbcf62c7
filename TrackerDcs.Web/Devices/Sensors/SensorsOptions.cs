namespace TrackerDcs.Web.Devices.Sensors;

/// <summary>Section "Sensors". The real boxes need no settings: they publish on the broker by themselves.</summary>
public sealed class SensorsOptions
{
    /// <summary>True: this process runs a simulated sensor box that publishes like a real one (off by default: a lab has real boxes).</summary>
    public bool Simulated { get; set; }

    /// <summary>The simulated box's name, the first level of its topics (ESP boxes in the seed).</summary>
    public string SimulatedBox { get; set; } = "ESP90";

    /// <summary>How often the simulated box sends a round of readings.</summary>
    public TimeSpan SimulatedPeriod { get; set; } = TimeSpan.FromSeconds(5);
}
