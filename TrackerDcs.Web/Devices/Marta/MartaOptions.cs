using TrackerDcs.Hardware.Marta;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Devices.Marta;

/// <summary>
/// Section "Marta": the CO2 plant's PLC over Modbus TCP. No <see cref="Host"/> means the simulated plant, served by
/// this process on 127.0.0.1 (<see cref="SimulatorPort"/>, a free port by default: never 502, so a demo cannot pass
/// for a plant). <see cref="Enabled"/> false: a stand without MARTA (nothing registered, nothing in /readyz).
/// </summary>
public sealed class MartaOptions : ISettingsSection
{
    public static string Section => "Marta";

    public bool Enabled { get; set; } = true;

    /// <summary>The PLC's address; empty: the simulated plant.</summary>
    public string? Host { get; set; }

    /// <summary>Modbus TCP's registered port on a real PLC.</summary>
    public int Port { get; set; } = 502;

    /// <summary>The Modbus unit (slave) id, 1 in the seed.</summary>
    public int Unit { get; set; } = 1;

    /// <summary>The register map in the seed's format, relative to the binary's directory where the root file is copied.</summary>
    public string RegisterMap { get; set; } = MartaRegisterMap.DefaultFile;

    /// <summary>Without a host: the simulated plant's port on 127.0.0.1; 0 picks a free one.</summary>
    public int SimulatorPort { get; set; }

    /// <summary>Without a host: how fast the simulated CO2 loop follows its set point.</summary>
    public TimeSpan SimulatedTimeConstant { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>The whole map is read this often (the seed: once a second).</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long one Modbus answer may take; past it the link is lost and reopened.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectDelayMin { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectDelayMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Every value is published again this often on MARTA/status (the seed: 10 minutes).</summary>
    public TimeSpan ForcedPublishPeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long clear_alarms holds set_alarm_reset at 1, so that the PLC's scan sees it.</summary>
    public TimeSpan AlarmResetPulse { get; set; } = TimeSpan.FromMilliseconds(500);

    public bool IsSimulated => string.IsNullOrWhiteSpace(Host);

    public string RegisterMapPath => Path.GetFullPath(RegisterMap, AppContext.BaseDirectory);

    /// <summary>The device's settings; the simulated plant's address is the link's to fill in.</summary>
    public MartaSettings ToSettings() => new()
    {
        Host = IsSimulated ? "127.0.0.1" : Host!,
        Port = Port,
        UnitId = (byte)Unit,
        ConnectTimeout = ConnectTimeout,
        ResponseTimeout = ResponseTimeout,
        PollPeriod = PollPeriod,
        ReconnectDelayMin = ReconnectDelayMin,
        ReconnectDelayMax = ReconnectDelayMax,
        ForcedPublishPeriod = ForcedPublishPeriod,
        AlarmResetPulse = AlarmResetPulse,
    };

    public IEnumerable<SettingsProblem> Problems()
    {
        var problems = new List<SettingsProblem>();
        if (!Enabled) return problems;
        if (string.IsNullOrWhiteSpace(RegisterMap)) problems.Add(new("Marta:RegisterMap", "is empty"));
        if (!IsSimulated && Port is < 1 or > 65535) problems.Add(new("Marta:Port", $"{Port} is not a TCP port (1–65535)"));
        // Unit ids 1–247 address a device (Modbus over serial line V1.02, 2.2); 0 is broadcast and 248–255 reserved.
        if (Unit is < 1 or > 247) problems.Add(new("Marta:Unit", $"{Unit} is not a Modbus unit id (1–247)"));
        if (SimulatorPort is < 0 or > 65535) problems.Add(new("Marta:SimulatorPort", $"{SimulatorPort} is not a TCP port (0 picks a free one)"));
        if (SimulatorPort == 502) problems.Add(new("Marta:SimulatorPort", "502 is the real plant's port: the simulated plant must not pass for one"));
        if (SimulatedTimeConstant <= TimeSpan.Zero) problems.Add(new("Marta:SimulatedTimeConstant", $"{SimulatedTimeConstant} must be positive"));
        // The device's own checks (time-outs, back-off), each renamed to its key here.
        if (problems.Count > 0) return problems;
        foreach (var problem in ToSettings().Validate())
        {
            var key = problem.Split(':', 2)[0];
            if (key is nameof(MartaSettings.Host) or nameof(MartaSettings.Port)) continue; // checked above
            problems.Add(new($"Marta:{key}", problem.Split(':', 2)[1].Trim()));
        }
        return problems;
    }
}
