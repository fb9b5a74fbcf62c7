using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Devices.Caen;

/// <summary>Section "Caen".</summary>
public sealed class CaenOptions : ISettingsSection
{
    public static string Section => "Caen";
    public static IReadOnlyList<(string Old, string New)> Renamed => [(nameof(PublishPeriodSeconds), nameof(PublishPeriod))];

    /// <summary>The channel map (seed format), relative to the binary's directory where the root file is copied.</summary>
    public string ChannelsFile { get; set; } = "channels.yml";
    /// <summary>First part of every PV name (the IOC's prefix), `cleanroom` in the seed.</summary>
    public string Prefix { get; set; } = "cleanroom";
    /// <summary>True: serve a simulated SY4527 over Channel Access on loopback and drive it. False: the real IOC.</summary>
    public bool Simulated { get; set; } = true;
    /// <summary>The simulated IOC's Channel Access port: not 5064, so a demo never answers the lab's searches.</summary>
    public int SimulatorPort { get; set; } = 5094;
    /// <summary>How often dcs/channels is published even when nothing changed (Grafana draws flat lines too).</summary>
    public TimeSpan PublishPeriod { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Renamed to <see cref="PublishPeriod"/>; still read from older settings files.</summary>
    public double? PublishPeriodSeconds { get; set; }

    public IEnumerable<SettingsProblem> Problems()
    {
        var problems = new List<SettingsProblem>();
        if (string.IsNullOrWhiteSpace(ChannelsFile)) problems.Add(new("Caen:ChannelsFile", "is empty"));
        if (string.IsNullOrWhiteSpace(Prefix)) problems.Add(new("Caen:Prefix", "is empty"));
        Settings.RequirePort("Caen:SimulatorPort", SimulatorPort, problems);
        if (PublishPeriod <= TimeSpan.Zero) problems.Add(new("Caen:PublishPeriod", $"{PublishPeriod} must be positive"));
        return problems;
    }
}
