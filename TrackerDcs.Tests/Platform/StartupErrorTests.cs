using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Platform;

/// <summary>A setting that cannot be used stops the start with one line naming it.</summary>
public sealed class StartupErrorTests
{
    private static async Task<ProcessResult> StartWith(params string[] settings)
    {
        await using var stand = new StandProcess();
        return await ProcessRunner.RunAsync("dotnet", [StandProcess.Binary, .. stand.Arguments, .. settings], timeout: TimeSpan.FromSeconds(60),
            workingDirectory: stand.Directory);
    }

    [Fact]
    public async Task A_missing_certificate_file_is_named()
    {
        var result = await StartWith("--Tls:PfxPath=/nonexistent/stand.pfx");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Tls:PfxPath", result.Stderr);
        Assert.Contains("/nonexistent/stand.pfx", result.Stderr);
    }

    [Fact]
    public async Task An_unreadable_certificate_file_is_named()
    {
        var bogus = Path.GetTempFileName();
        await File.WriteAllTextAsync(bogus, "this is not a certificate");
        try
        {
            var result = await StartWith($"--Tls:PfxPath={bogus}");
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"cannot read certificate file '{bogus}'", result.Stderr);
        }
        finally
        {
            File.Delete(bogus);
        }
    }

    [Theory]
    [InlineData("--Endpoints:HttpsPort=not-a-port", "Endpoints")]
    [InlineData("--Endpoints:MqttPort=70000", "Endpoints:MqttPort")]
    [InlineData("--Endpoints:MqttAddress=localhost-ish", "Endpoints:MqttAddress")]
    [InlineData("--Broker:Anonymous=Everybody", "Broker")]
    [InlineData("--Broker:AnonymousNetworks:0=not-a-network", "Broker:AnonymousNetworks:0")]
    [InlineData("--Broker:MaxPacketSiz=10", "MaxPacketSiz")]
    public async Task A_malformed_setting_is_named(string setting, string key)
    {
        var result = await StartWith(setting);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(key, result.Stderr);
    }
}
