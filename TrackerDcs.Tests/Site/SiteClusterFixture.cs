namespace TrackerDcs.Tests.Site;

/// <summary>
/// One 3-node RabbitMQ cluster (MQTT plugin) shared by the site tests, with the accounts of docs/site.md: the site's
/// (reads every stand, publishes commands to every stand) and one per stand (publishes only below its own
/// site/&lt;stand&gt;/ and no command there, reads only its own command topics). Topic permissions are regexes on AMQP routing keys, MQTT
/// topics with '.' for '/'.
/// </summary>
public sealed class SiteClusterFixture : IAsyncLifetime
{
    public const string SiteUser = "site";
    public const string SitePassword = "site-password";

    public RabbitMqCluster Cluster { get; private set; } = null!;

    public static string StandUser(string stand) => $"stand-{stand}";
    public static string StandPassword(string stand) => $"stand-{stand}-password";

    public string[] SiteAuth => Mosquitto.Auth(SiteUser, SitePassword);
    public static string[] StandAuth(string stand) => Mosquitto.Auth(StandUser(stand), StandPassword(stand));

    public async Task InitializeAsync()
    {
        Cluster = await RabbitMqCluster.StartAsync(3);
        await Cluster.AddUserAsync(SiteUser, SitePassword, write: @"^site\.[^.]+\.[^.]+\.cmd\.", read: @"^site\.");
        foreach (var stand in new[] { "a", "b", "c", "s1", "s2", "s3" }) await AddStandAsync(stand);
    }

    /// <summary>The stand's account, exactly as docs/site.md tells an administrator to create it.</summary>
    private Task AddStandAsync(string stand) =>
        Cluster.AddUserAsync(StandUser(stand), StandPassword(stand), write: $@"^site\.{stand}\.(?![^.]+\.cmd(\.|$))", read: $@"^site\.{stand}\.[^.]+\.cmd\.");

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}

[CollectionDefinition("Site cluster")]
public sealed class SiteClusterCollection : ICollectionFixture<SiteClusterFixture>;
