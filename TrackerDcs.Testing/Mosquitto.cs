namespace TrackerDcs.Testing;

/// <summary>Debian's Mosquitto clients, the reference MQTT peers of the tests.</summary>
public static class Mosquitto
{
    public static string[] Auth(string user, string password) => ["-u", user, "-P", password];

    public static Task<ProcessResult> PubAsync(int port, params string[] args) =>
        ProcessRunner.RunAsync("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(), .. args], timeout: TimeSpan.FromSeconds(20));

    public static Task<ProcessResult> SubAsync(int port, params string[] args) =>
        ProcessRunner.RunAsync("mosquitto_sub", ["-h", "127.0.0.1", "-p", port.ToString(), .. args], timeout: TimeSpan.FromSeconds(30));
}
