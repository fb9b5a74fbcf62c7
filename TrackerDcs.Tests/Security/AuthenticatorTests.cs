using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Tests.Security;

/// <summary>
/// Logins against the user store in process, on a fake clock: the right password and nothing else, the back-off
/// per name at an address, per address and per name after repeated failures, the shared budget of unknown names,
/// and a remembered success forgotten when the account changes.
/// </summary>
public sealed class AuthenticatorTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly TempDatabase _database = new();
    private readonly ListLogger<Authenticator> _log = new();
    private readonly UserStore _users;
    private readonly PasswordHashPool _hashing = new(workers: 1);
    private readonly Authenticator _authenticator;
    private static readonly IPAddress Lab = IPAddress.Parse("192.168.1.10");
    private static readonly IPAddress Elsewhere = IPAddress.Parse("192.168.1.66");

    public AuthenticatorTests()
    {
        _users = new UserStore(_database.Database);
        _users.Add("olivia", Role.Operator, "operator-password");
        _users.Add("oscar", Role.Admin, "admin-password");
        _authenticator = new Authenticator(_users, _hashing, _clock, _log);
    }

    public void Dispose()
    {
        _hashing.Dispose();
        _database.Dispose();
    }

    private Task<UserAccount?> Login(string name, string password, IPAddress? from = null) => _authenticator.AuthenticateAsync(name, password, from ?? Lab);

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
        Assert.Equal("Repeated failed logins for user 'olivia' from 192.168.1.10: further attempts from there are refused for a while",
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

    [Fact]
    public async Task A_name_blocked_at_one_address_still_logs_in_from_another()
    {
        for (var i = 0; i <= Authenticator.FreeFailures; i++) Assert.Null(await Login("oscar", "guess", Elsewhere));
        Assert.Null(await Login("oscar", "admin-password", Elsewhere));
        Assert.NotNull(await Login("oscar", "admin-password", Lab));
    }

    [Fact]
    public async Task An_address_trying_many_names_is_blocked_whatever_the_name()
    {
        for (var i = 0; i < Authenticator.FreeFailuresPerAddress; i++)
            Assert.Null(await Login($"nobody{i}", "guess", Elsewhere));
        Assert.Null(await Login("oscar", "guess", Elsewhere)); // the first failure beyond the free ones
        Assert.Contains(_log.Entries, e => e.Text == "Repeated failed logins from 192.168.1.66: further attempts from there are refused for a while");
        Assert.Null(await Login("oscar", "admin-password", Elsewhere)); // never verified: waits for the block to end
        Assert.NotNull(await Login("oscar", "admin-password", Lab));
        Assert.NotNull(await Login("oscar", "admin-password", Elsewhere)); // verified now: a user behind the same NAT gets in
    }

    [Fact]
    public async Task Unknown_names_share_one_budget_and_beyond_it_are_refused_without_a_check()
    {
        // Each from its own address, as a botnet would: no address reaches its own limit.
        for (var i = 0; i < Authenticator.UnknownNamesPerMinute; i++)
            Assert.Null(await Login($"nobody{i}", "guess", IPAddress.Parse($"10.0.0.{i + 1}")));
        Assert.DoesNotContain(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Null(await Login("nobody-else", "guess", IPAddress.Parse("10.0.1.1")));
        Assert.Equal($"Logins with unknown user names exceed {Authenticator.UnknownNamesPerMinute} a minute: further ones are refused without checking for a while",
            Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning).Text);
        // Known names are not held up by the spent budget; it refills with time.
        Assert.NotNull(await Login("olivia", "operator-password"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await Login("nobody-later", "guess", IPAddress.Parse("10.0.2.1")));
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task A_name_guessed_from_many_addresses_opens_only_to_a_password_already_verified()
    {
        Assert.NotNull(await Login("oscar", "admin-password", Lab)); // the admin's console logged in before the attack
        for (var i = 0; i <= Authenticator.FreeFailuresPerName; i++)
            Assert.Null(await Login("oscar", "guess", IPAddress.Parse($"10.1.{i / 200}.{i % 200 + 1}")));
        Assert.Contains(_log.Entries, e => e.Text.StartsWith("Repeated failed logins for user 'oscar' from several addresses"));
        Assert.NotNull(await Login("oscar", "admin-password", Elsewhere)); // the verified password, from anywhere not blocked itself
        _users.SetPassword("oscar", "a new admin password");
        Assert.Null(await Login("oscar", "a new admin password", Lab)); // right, but never verified: it waits for the block to end
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.NotNull(await Login("oscar", "a new admin password", Lab));
    }
}
