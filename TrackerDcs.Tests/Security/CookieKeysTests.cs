using System.Net;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Security;

/// <summary>
/// The cookie-signing keys live in the data directory: a panel login survives a restart, and an install that kept
/// them in the service user's home (~/.aspnet/DataProtection-Keys) has them copied once, so its cookies stay valid.
/// </summary>
public sealed class CookieKeysTests : IAsyncLifetime
{
    private readonly StandProcess _stand = new();
    private string Home => Path.Combine(_stand.Directory, "home");
    private string OldKeys => Path.Combine(Home, ".aspnet", "DataProtection-Keys");
    private string NewKeys => Path.Combine(_stand.DataDirectory, "keys");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        _stand.ExtraEnvironment["HOME"] = Home;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _stand.DisposeAsync();

    [Fact]
    public async Task A_key_ring_in_the_old_place_is_copied_once_into_the_data_directory_and_its_cookies_stay_valid()
    {
        await _stand.StartAsync();
        var cookies = new CookieContainer();
        using (var client = Client(cookies))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await LogInAsync(client)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Https("/audit"))).StatusCode);
        }
        var keys = Directory.GetFiles(NewKeys, "key-*.xml").Select(Path.GetFileName).Order().ToList();
        Assert.NotEmpty(keys);
        Assert.False(Directory.Exists(OldKeys));
        await _stand.StopAsync();

        // The layout of an older version: the key ring in the home directory, none in the data directory.
        Directory.CreateDirectory(OldKeys);
        foreach (var file in Directory.GetFiles(NewKeys)) File.Move(file, Path.Combine(OldKeys, Path.GetFileName(file)));
        await _stand.StartAsync();

        using (var client = Client(cookies))
        {
            var page = await client.GetAsync(Https("/audit"));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
        Assert.Equal(keys, Directory.GetFiles(NewKeys, "key-*.xml").Select(Path.GetFileName).Order());
        Assert.Contains($"Copied {keys.Count} cookie-signing keys from {OldKeys} to {NewKeys}", _stand.Log);
    }

    private string Https(string path) => $"https://localhost:{_stand.HttpsPort}{path}";

    private HttpClient Client(CookieContainer cookies) => PanelForm.Client(_stand, cookies);

    private Task<HttpResponseMessage> LogInAsync(HttpClient client) => PanelForm.LogInAsync(_stand, client, "admin", StandProcess.AdminPassword);
}
