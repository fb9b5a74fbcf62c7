using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Tests.Security;

/// <summary>
/// Logins against the user store in process, on a fake clock: the right password and nothing else, the back-off
/// per name after repeated failures, and a remembered success forgotten when the account changes.
/// </summary>
public sealed class AuthenticatorTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly TempDatabase _database = new();
    private readonly ListLogger<Authenticator> _log = new();
    private readonly UserStore _users;
    private readonly Authenticator _authenticator;

    public AuthenticatorTests()
    {
        _users = new UserStore(_database.Database);
        _users.Add("olivia", Role.Operator, "operator-password");
        _users.Add("oscar", Role.Admin, "admin-password");
        _authenticator = new Authenticator(_users, _clock, _log);
    }

    public void Dispose() => _database.Dispose();

    private Task<UserAccount?> Login(string name, string password) => _authenticator.AuthenticateAsync(name, password);

    [Fact]
    public async Task The_right_password_gives_the_account_and_anything_else_nothing()
    {
        var account = await Login("olivia", "operator-password");
        Assert.Equal(("olivia", Role.Operator), (account!.Name, account.Role));
        Assert.Null(await Login("olivia", "operator-passworD"));
        Assert.Null(await Login("olivia", ""));
        Assert.Null(await Login("Olivia", "operator-password"));
        Assert.Null(await Login("nobody", "operator-password"));
    }

    [Fact]
    public async Task After_repeated_failures_a_name_is_refused_even_with_the_right_password_until_its_back_off_ends()
    {
        for (var i = 0; i < Authenticator.FreeFailures; i++) Assert.Null(await Login("olivia", "guess"));
        Assert.NotNull(await Login("oscar", "admin-password"));
        Assert.DoesNotContain(_log.Entries, e => e.Level == LogLevel.Warning);

        Assert.Null(await Login("olivia", "guess"));   // one failure beyond the free ones: 2 s of back-off
        Assert.Equal("Repeated failed logins for user 'olivia': further attempts are refused for a while",
            Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning).Text);

        Assert.Null(await Login("olivia", "operator-password"));
        _clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Null(await Login("olivia", "operator-password"));
        Assert.NotNull(await Login("oscar", "admin-password")); // another name is not held up

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.NotNull(await Login("olivia", "operator-password"));
        // A success clears the count: the next failure is a free one again.
        Assert.Null(await Login("olivia", "guess"));
        Assert.NotNull(await Login("olivia", "operator-password"));
    }

    [Fact]
    public async Task The_back_off_doubles_with_each_further_failure()
    {
        for (var i = 0; i <= Authenticator.FreeFailures; i++) Assert.Null(await Login("olivia", "guess"));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await Login("olivia", "guess"));    // the 7th failure: 4 s

        _clock.Advance(TimeSpan.FromSeconds(3.9));
        Assert.Null(await Login("olivia", "operator-password"));
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.NotNull(await Login("olivia", "operator-password"));
    }

    [Fact]
    public async Task A_remembered_login_is_forgotten_when_the_password_changes_or_the_account_goes()
    {
        Assert.NotNull(await Login("olivia", "operator-password"));
        Assert.NotNull(await Login("olivia", "operator-password")); // from memory this time

        _users.SetPassword("olivia", "a new password");
        Assert.Null(await Login("olivia", "operator-password"));
        Assert.NotNull(await Login("olivia", "a new password"));

        _users.SetRole("olivia", Role.Viewer);
        Assert.Equal(Role.Viewer, (await Login("olivia", "a new password"))!.Role);

        _users.Remove("olivia");
        Assert.Null(await Login("olivia", "a new password"));
    }
}
