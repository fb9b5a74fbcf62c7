
namespace TrackerDcs.Tests.Deploy;

/// <summary>A test that needs Debian's docker-compose (v1, no Docker engine needed for `config`); skipped, saying so, without it.</summary>
public sealed class DockerComposeFactAttribute : FactAttribute
{
    public DockerComposeFactAttribute()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "docker-compose")));
        if (!found) Skip = "docker-compose is not installed (Debian package docker-compose; run-tests.sh installs it)";
    }
}

/// <summary>
/// deploy/: the compose file as Debian 12's own docker-compose (1.29, the Compose Specification of its time)
/// reads it, with the example environment; the backup scripts' syntax; the secrets file kept out of git.
/// No Docker engine runs here, so nothing is started.
/// </summary>
public sealed class ComposeTests
{
    private static string Deploy => Repository.File("deploy");
    private static string Compose => Path.Combine(Deploy, "docker-compose.yml");
    private static string Example => Path.Combine(Deploy, ".env.example");

    private static Task<ProcessResult> ConfigAsync(string envFile) =>
        ProcessRunner.RunAsync("docker-compose", ["-f", Compose, "--env-file", envFile, "config"], timeout: TimeSpan.FromSeconds(60), workingDirectory: Deploy);

    [DockerComposeFact]
    public async Task The_compose_file_validates_with_the_example_environment()
    {
        var result = await ConfigAsync(Example);
        Assert.True(result.ExitCode == 0, result.ToString());
        var config = result.Stdout;
        foreach (var service in new[] { "trackerdcs:", "influxdb:", "grafana:", "mongodb:" }) Assert.Contains(service, config);
        // The example's values reach the services; the volumes keep the names the backup scripts use, whatever the project is called.
        Assert.Contains("TRACKERDCS_ADMIN_PASSWORD: change-me", config);
        Assert.Contains("TimeSeries__Influx__Url: http://influxdb:8086", config);
        // Run events (Grafana's run annotations) and run documents go to the stack's InfluxDB and MongoDB.
        Assert.Contains("Runs__InfluxDb: http://influxdb:8086", config);
        Assert.Contains("Runs__InfluxUser: trackerdcs", config);
        Assert.Contains("Runs__MongoDb: mongodb://trackerdcs:change-me@mongodb:27017/trackerdcs?authSource=trackerdcs", config);
        Assert.Contains($"{Path.Combine(Deploy, "mongodb")}:/docker-entrypoint-initdb.d:ro", config);
        foreach (var volume in new[] { "trackerdcs-data", "influxdb-data", "grafana-data", "mongodb-data" })
            Assert.Contains($"name: trackerdcs_{volume}", config);
        Assert.Contains($"{Path.Combine(Deploy, "grafana", "dashboards")}:/var/lib/grafana/dashboards:ro", config);
        Assert.Contains($"{Path.Combine(Deploy, "grafana", "provisioning")}:/etc/grafana/provisioning:ro", config);
    }

    [DockerComposeFact]
    public async Task A_password_missing_from_the_environment_file_is_an_error_that_names_it()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-compose-").FullName;
        try
        {
            var env = Path.Combine(directory, ".env");
            await File.WriteAllLinesAsync(env, File.ReadAllLines(Example).Where(l => !l.StartsWith("GRAFANA_ADMIN_PASSWORD=")));
            var result = await ConfigAsync(env);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("GRAFANA_ADMIN_PASSWORD", result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_example_sets_every_variable_the_compose_file_requires()
    {
        var required = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Compose), @"\$\{(\w+):\?")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(required);
        var set = File.ReadAllLines(Example).Where(l => l.Contains('=') && !l.TrimStart().StartsWith('#')).Select(l => l[..l.IndexOf('=')].Trim()).ToHashSet();
        Assert.All(required, name => Assert.Contains(name, set));
    }

    [Theory]
    [InlineData("backup-volumes.sh")]
    [InlineData("restore-volumes.sh")]
    public async Task Backup_scripts_parse(string script)
    {
        var result = await ProcessRunner.RunAsync("bash", ["-n", Path.Combine(Deploy, script)]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task The_real_environment_file_is_ignored_by_git_and_the_example_is_not()
    {
        var ignored = await ProcessRunner.RunAsync("git", ["check-ignore", "-q", "deploy/.env"], workingDirectory: Repository.Root);
        Assert.True(ignored.ExitCode == 0, $"deploy/.env is not git-ignored: {ignored}");
        var example = await ProcessRunner.RunAsync("git", ["check-ignore", "-q", "deploy/.env.example"], workingDirectory: Repository.Root);
        Assert.True(example.ExitCode == 1, $"deploy/.env.example is git-ignored: {example}");
        Assert.True(File.Exists(Example));
    }
}
