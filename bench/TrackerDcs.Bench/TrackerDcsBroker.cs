using System.Diagnostics;

namespace TrackerDcs.Bench;

/// <summary>
/// The TrackerDcs process from its Release build, as deployed: all four listeners on free loopback ports,
/// its own data directory, warnings only (logging per message would measure the console).
/// The bench connects as the initial admin, which may publish below bench/.
/// </summary>
/// <param name="extraArguments">More `--Section:Key=value` settings (the ca and julabo benches point the devices at their rigs).</param>
/// <param name="environment">Variables for the process only, not the load generator (runtime settings such as DOTNET_gcServer).</param>
public sealed class TrackerDcsBroker(IReadOnlyList<string>? extraArguments = null, IReadOnlyDictionary<string, string>? environment = null)
    : BrokerUnderTest(Label, "trackerdcs-bench-")
{
    public const string Label = "TrackerDcs";
    private const string AdminPassword = "bench-admin-password";

    protected override (string User, string Password)? Credentials => ("admin", AdminPassword);

    /// <summary>The HTTPS listener (the site bench reads /api/site/stands there).</summary>
    public int HttpsPort { get; } = FreePort.Tcp();

    /// <summary>The process's own self-signed certificate, which it writes to its data directory at its first start.</summary>
    public string CertificatePem => Path.Combine(Directory, "data", "tls", "trackerdcs.crt");

    /// <summary>HTTP Basic as the initial admin, the account the bench also uses over MQTT.</summary>
    public string AdminBasicCredentials => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"admin:{AdminPassword}"));

    protected override ProcessStartInfo StartInfo()
    {
        var binary = Repository.File("TrackerDcs.Web", "bin", "Release", "net10.0", "TrackerDcs.dll");
        if (!File.Exists(binary)) throw new FileNotFoundException($"{binary} is missing: run `dotnet build -c Release` at the repository root first");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Directory };
        foreach (var argument in (string[])
        [
            binary,
            $"--Data:Directory={Path.Combine(Directory, "data")}",
            "--Endpoints:HttpAddress=127.0.0.1",
            $"--Endpoints:HttpPort={FreePort.Tcp()}",
            "--Endpoints:HttpsAddress=127.0.0.1",
            $"--Endpoints:HttpsPort={HttpsPort}",
            $"--Endpoints:MqttPort={Port}",
            "--Endpoints:MqttTlsAddress=127.0.0.1",
            $"--Endpoints:MqttTlsPort={FreePort.Tcp()}",
            "--Logging:LogLevel:Default=Warning",
        ])
            info.ArgumentList.Add(argument);
        foreach (var argument in extraArguments ?? []) info.ArgumentList.Add(argument);
        // The simulated crate would take the default Channel Access port, 5064, which another process may hold (a
        // TrackerDcs still exiting from the run before): a bench that points the crate elsewhere says so itself.
        if (extraArguments?.Any(a => a.StartsWith("--Caen:SimulatorPort=", StringComparison.Ordinal)) != true)
            info.ArgumentList.Add($"--Caen:SimulatorPort={FreePort.ChannelAccess()}");
        info.Environment["TRACKERDCS_ADMIN_PASSWORD"] = AdminPassword;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        return info;
    }
}
