using System.Text.RegularExpressions;

namespace TrackerDcs.Tests.Deploy;

/// <summary>
/// deploy/site/: the site's compose file (a 3-node RabbitMQ cluster and the site instance) as Debian 12's
/// docker-compose reads it with the example environment, and its RabbitMQ configuration. No Docker engine runs here;
/// the definitions file itself is imported into a real cluster by Site/SiteDefinitionsTests.
/// </summary>
public sealed class SiteComposeTests
{
    private static string Site => Repository.File("deploy", "site");
    private static string Compose => Path.Combine(Site, "docker-compose.yml");
    private static string Example => Path.Combine(Site, ".env.example");

    private static Task<ProcessResult> ConfigAsync(string envFile) =>
        ProcessRunner.RunAsync("docker-compose", ["-f", Compose, "--env-file", envFile, "config"], timeout: TimeSpan.FromSeconds(60), workingDirectory: Site);

    [DockerComposeFact]
    public async Task The_site_compose_file_validates_with_three_rabbitmq_nodes_sharing_a_cookie_and_the_site_instance()
    {
        var result = await ConfigAsync(Example);
        Assert.True(result.ExitCode == 0, result.ToString());
        var config = result.Stdout;
        foreach (var node in new[] { "rmq1", "rmq2", "rmq3" })
        {
            Assert.Contains($"  {node}:", config);
            Assert.Contains($"hostname: {node}", config);
            Assert.Contains($"{node}-data:/var/lib/rabbitmq", config);
        }
        Assert.Equal(3, Regex.Matches(config, "image: rabbitmq:3").Count);
        Assert.Equal(3, Regex.Matches(config, "RABBITMQ_ERLANG_COOKIE: change-me-to-a-long-random-cookie").Count);
        Assert.Equal(3, Regex.Matches(config, Regex.Escape($"{Path.Combine(Site, "rabbitmq", "rabbitmq.conf")}:/etc/rabbitmq/rabbitmq.conf:ro")).Count);
        Assert.Equal(3, Regex.Matches(config, Regex.Escape($"{Path.Combine(Site, "rabbitmq", "enabled_plugins")}:/etc/rabbitmq/enabled_plugins:ro")).Count);
        // The site instance reads every node with the site's account.
        Assert.Contains("Site__Mode: Site", config);
        foreach (var (index, node) in new[] { (0, "rmq1"), (1, "rmq2"), (2, "rmq3") }) Assert.Contains($"Site__Brokers__{index}: {node}:1883", config);
        Assert.Contains("Site__User: site", config);
        Assert.Contains("Site__Password: change-me", config);
    }

    [DockerComposeFact]
    public async Task A_missing_cookie_is_an_error_that_names_it()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-site-compose-").FullName;
        try
        {
            var env = Path.Combine(directory, ".env");
            await File.WriteAllLinesAsync(env, File.ReadAllLines(Example).Where(l => !l.StartsWith("RABBITMQ_ERLANG_COOKIE=")));
            var result = await ConfigAsync(env);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("RABBITMQ_ERLANG_COOKIE", result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_nodes_find_each_other_by_classic_config_and_speak_mqtt_with_logins_only()
    {
        var conf = File.ReadAllLines(Path.Combine(Site, "rabbitmq", "rabbitmq.conf")).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        Assert.Contains("cluster_formation.peer_discovery_backend = classic_config", conf);
        foreach (var i in new[] { 1, 2, 3 }) Assert.Contains($"cluster_formation.classic_config.nodes.{i} = rabbit@rmq{i}", conf);
        Assert.Contains("mqtt.listeners.tcp.default = 1883", conf);
        Assert.Contains("mqtt.allow_anonymous = false", conf);
        Assert.Contains("rabbitmq_mqtt", File.ReadAllText(Path.Combine(Site, "rabbitmq", "enabled_plugins")));
    }

    [Fact]
    public void The_example_sets_every_variable_the_site_compose_file_requires()
    {
        var required = Regex.Matches(File.ReadAllText(Compose), @"\$\{(\w+):\?").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(required);
        var set = File.ReadAllLines(Example).Where(l => l.Contains('=') && !l.TrimStart().StartsWith('#')).Select(l => l[..l.IndexOf('=')].Trim()).ToHashSet();
        Assert.All(required, name => Assert.Contains(name, set));
    }

    [Fact]
    public async Task The_real_environment_file_is_ignored_by_git()
    {
        var ignored = await ProcessRunner.RunAsync("git", ["check-ignore", "-q", "deploy/site/.env"], workingDirectory: Repository.Root);
        Assert.True(ignored.ExitCode == 0, $"deploy/site/.env is not git-ignored: {ignored}");
        var example = await ProcessRunner.RunAsync("git", ["check-ignore", "-q", "deploy/site/.env.example"], workingDirectory: Repository.Root);
        Assert.True(example.ExitCode == 1, $"deploy/site/.env.example is git-ignored: {example}");
    }
}
