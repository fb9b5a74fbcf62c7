namespace TrackerDcs.Web.Devices.Caen;

/// <summary>Section "Caen".</summary>
public sealed class CaenOptions
{
    /// <summary>The channel map (seed format), relative to the binary's directory where the root file is copied.</summary>
    public string ChannelsFile { get; set; } = "channels.yml";
    /// <summary>First part of every PV name (the IOC's prefix), `cleanroom` in the seed.</summary>
    public string Prefix { get; set; } = "cleanroom";
    /// <summary>True: serve a simulated SY4527 over Channel Access on loopback and drive it. False: the real IOC.</summary>
    public bool Simulated { get; set; } = true;
    /// <summary>The simulated IOC's Channel Access port: not 5064, so a demo never answers the lab's searches.</summary>
    public int SimulatorPort { get; set; } = 5094;
    /// <summary>How often dcs/channels is published even when nothing changed (Grafana draws flat lines too).</summary>
    public double PublishPeriodSeconds { get; set; } = 5;
}
