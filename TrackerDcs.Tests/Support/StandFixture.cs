namespace TrackerDcs.Tests.Support;

/// <summary>One running stand shared by the tests of the "Stand" collection, with an account of every role.</summary>
public sealed class StandFixture : IAsyncLifetime
{
    public const string OperatorPassword = "operator-password";
    public const string ViewerPassword = "viewer-password";
    public const string DevicePassword = "device-password";

    public StandProcess Stand { get; } = new();

    public string[] Admin => Mosquitto.Auth("admin", StandProcess.AdminPassword);
    public string[] Operator => Mosquitto.Auth("olivia", OperatorPassword);
    public string[] Viewer => Mosquitto.Auth("victor", ViewerPassword);
    public string[] Device => Mosquitto.Auth("esp01", DevicePassword);

    public async Task InitializeAsync()
    {
        // Started first, so the first start creates admin; the accounts are then added while it runs, as a lab would.
        await Stand.StartAsync();
        await Stand.AddUserAsync("olivia", "operator", OperatorPassword);
        await Stand.AddUserAsync("victor", "viewer", ViewerPassword);
        await Stand.AddUserAsync("esp01", "device", DevicePassword, "ESP01/");
    }

    public async Task DisposeAsync() => await Stand.DisposeAsync();
}

[CollectionDefinition("Stand")]
public sealed class StandCollection : ICollectionFixture<StandFixture>;
