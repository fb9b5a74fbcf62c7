using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Security;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Security;

/// <summary>Accounts in the embedded database, in process: roles, device prefixes, salted slow hashes, and bad input refused with nothing changed.</summary>
public sealed class UserStoreTests : IDisposable
{
    private readonly TempDatabase _database = new();
    private readonly UserStore _users;
    private readonly List<string> _changed = [];

    public UserStoreTests()
    {
        _users = new UserStore(_database.Database);
        _users.Changed += _changed.Add;
    }

    public void Dispose() => _database.Dispose();

    private string Hash(string name) => _users.Find(name)!.Value.PasswordHash;

    [Fact]
    public void Accounts_are_listed_by_name_with_their_roles_and_a_device_with_its_prefixes()
    {
        Assert.True(_users.IsEmpty());
        _users.Add("victor", Role.Viewer, "viewer-password");
        _users.Add("admin", Role.Admin, "admin-password");
        _users.Add("esp01", Role.Device, "device-password", ["ESP01/", "ESP01b/"]);
        _users.Add("olivia", Role.Operator, "operator-password");

        Assert.False(_users.IsEmpty());
        Assert.Equal([("admin", Role.Admin), ("esp01", Role.Device), ("olivia", Role.Operator), ("victor", Role.Viewer)],
            _users.List().Select(u => (u.Name, u.Role)));
        Assert.Equal(["ESP01/", "ESP01b/"], _users.Find("esp01")!.Value.Account.TopicPrefixes);
        Assert.Empty(_users.Find("olivia")!.Value.Account.TopicPrefixes);
        Assert.Null(_users.Find("nobody"));
        Assert.Equal(["victor", "admin", "esp01", "olivia"], _changed);
    }

    [Fact]
    public void Only_a_salted_slow_hash_is_stored_and_it_verifies_the_password_alone()
    {
        _users.Add("olivia", Role.Operator, "same password");
        _users.Add("oscar", Role.Operator, "same password");

        var hash = Hash("olivia");
        Assert.StartsWith($"pbkdf2-sha256${PasswordHasher.DefaultIterations}$", hash);
        Assert.DoesNotContain("same password", hash);
        Assert.NotEqual(hash, Hash("oscar")); // salted: equal passwords, different hashes
        Assert.True(PasswordHasher.Verify("same password", hash));
        Assert.False(PasswordHasher.Verify("same passwore", hash));
        Assert.False(PasswordHasher.Verify("", hash));
    }

    [Fact]
    public void A_hash_of_another_cost_still_verifies_so_the_cost_can_be_raised_later()
    {
        var cheap = PasswordHasher.Hash("a password", iterations: 1000);
        Assert.StartsWith("pbkdf2-sha256$1000$", cheap);
        Assert.True(PasswordHasher.Verify("a password", cheap));
        Assert.False(PasswordHasher.Verify("another one", cheap));
    }

    [Theory]
    [InlineData("pbkdf2-sha256$1000$not base64!$AAAA")]
    [InlineData("pbkdf2-sha256$1000$AAAA$%%%")]
    [InlineData("pbkdf2-sha256$0$AAAAAAAAAAAAAAAAAAAAAA==$AAAA")]
    [InlineData("pbkdf2-sha256$-5$AAAAAAAAAAAAAAAAAAAAAA==$AAAA")]
    [InlineData("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$")]
    [InlineData("bcrypt$10$abc$def")]
    [InlineData("plain text")]
    [InlineData("")]
    public void A_damaged_stored_hash_verifies_nothing_instead_of_throwing(string stored)
    {
        Assert.False(PasswordHasher.Verify("a password", stored));
    }

    [Theory]
    [InlineData("", Role.Operator, "long enough", "user name '' must be 1–64 letters")]
    [InlineData("   ", Role.Operator, "long enough", "must be 1–64 letters")]
    [InlineData("ol ivia", Role.Operator, "long enough", "user name 'ol ivia' must be 1–64 letters, digits, '_', '-' or '.'")]
    [InlineData("olivia/hv", Role.Operator, "long enough", "user name 'olivia/hv'")]
    [InlineData("olívia", Role.Operator, "long enough", "user name 'olívia'")]
    [InlineData("olivia#", Role.Operator, "long enough", "user name 'olivia#'")]
    [InlineData("olivia", Role.Operator, "short", "a password needs at least 8 characters")]
    [InlineData("esp02", Role.Device, "long enough", "a device account needs at least one topic prefix")]
    public void Bad_input_is_refused_with_what_was_wrong_and_nothing_is_added(string name, Role role, string password, string problem)
    {
        _users.Add("admin", Role.Admin, "admin-password");
        _changed.Clear();

        var error = Assert.Throws<ArgumentException>(() => _users.Add(name, role, password));

        Assert.Contains(problem, error.Message);
        Assert.Equal(["admin"], _users.List().Select(u => u.Name));
        Assert.Empty(_changed);
    }

    [Fact]
    public void A_name_of_64_characters_is_taken_and_one_of_65_is_not()
    {
        _users.Add(new string('a', 64), Role.Viewer, "long enough");
        Assert.Throws<ArgumentException>(() => _users.Add(new string('b', 65), Role.Viewer, "long enough"));
        Assert.Equal([new string('a', 64)], _users.List().Select(u => u.Name));
    }

    [Fact]
    public void Prefixes_are_for_devices_only_and_a_name_is_taken_once()
    {
        _users.Add("olivia", Role.Operator, "first password");
        var prefixes = Assert.Throws<ArgumentException>(() => _users.Add("oscar", Role.Operator, "long enough", ["ESP01/"]));
        Assert.Equal("topic prefixes are only for device accounts", prefixes.Message);

        var twice = Assert.Throws<ArgumentException>(() => _users.Add("olivia", Role.Admin, "second password"));
        Assert.Equal("user 'olivia' already exists", twice.Message);
        // The first account is untouched: same role, same password.
        Assert.Equal(Role.Operator, _users.Find("olivia")!.Value.Account.Role);
        Assert.True(PasswordHasher.Verify("first password", Hash("olivia")));
        Assert.Equal(["olivia"], _users.List().Select(u => u.Name));
    }

    [Fact]
    public void A_new_password_replaces_the_old_one_and_a_short_one_changes_nothing()
    {
        _users.Add("olivia", Role.Operator, "old password");
        _changed.Clear();

        _users.SetPassword("olivia", "new password");
        Assert.True(PasswordHasher.Verify("new password", Hash("olivia")));
        Assert.False(PasswordHasher.Verify("old password", Hash("olivia")));

        var before = Hash("olivia");
        Assert.Equal("a password needs at least 8 characters", Assert.Throws<ArgumentException>(() => _users.SetPassword("olivia", "1234567")).Message);
        Assert.Equal(before, Hash("olivia"));
        Assert.Equal("no user 'nobody'", Assert.Throws<ArgumentException>(() => _users.SetPassword("nobody", "long enough")).Message);
        Assert.Equal(["olivia"], _changed);
    }

    [Fact]
    public void A_role_changes_on_the_ladder_but_no_account_becomes_a_device()
    {
        _users.Add("admin", Role.Admin, "admin-password");
        _users.Add("olivia", Role.Viewer, "long enough");

        _users.SetRole("olivia", Role.Operator);
        Assert.Equal(Role.Operator, _users.Find("olivia")!.Value.Account.Role);

        var device = Assert.Throws<ArgumentException>(() => _users.SetRole("olivia", Role.Device));
        Assert.Contains("cannot become a device", device.Message);
        Assert.Equal(Role.Operator, _users.Find("olivia")!.Value.Account.Role);
        Assert.Equal("no user 'nobody'", Assert.Throws<ArgumentException>(() => _users.SetRole("nobody", Role.Admin)).Message);
    }

    [Fact]
    public void An_account_is_removed_but_never_the_last_admin()
    {
        _users.Add("admin", Role.Admin, "admin-password");
        _users.Add("olivia", Role.Operator, "long enough");

        _users.Remove("olivia");
        Assert.Null(_users.Find("olivia"));
        Assert.Equal("no user 'olivia'", Assert.Throws<ArgumentException>(() => _users.Remove("olivia")).Message);

        var last = Assert.Throws<ArgumentException>(() => _users.Remove("admin"));
        Assert.Equal("'admin' is the last admin; add another admin first", last.Message);
        Assert.NotNull(_users.Find("admin"));

        _users.Add("anna", Role.Admin, "long enough");
        _users.Remove("admin");
        Assert.Equal([("anna", Role.Admin)], _users.List().Select(u => (u.Name, u.Role)));
    }

    [Fact]
    public void The_last_admin_cannot_be_demoted_either()
    {
        _users.Add("admin", Role.Admin, "admin-password");
        _changed.Clear();

        var error = Assert.Throws<ArgumentException>(() => _users.SetRole("admin", Role.Operator));

        Assert.Equal("'admin' is the last admin; add another admin first", error.Message);
        Assert.Equal(Role.Admin, _users.Find("admin")!.Value.Account.Role);
        Assert.Empty(_changed);

        // With a second admin, either may step down; an admin may also be "set" to admin again.
        _users.Add("anna", Role.Admin, "long enough");
        _users.SetRole("anna", Role.Admin);
        _users.SetRole("admin", Role.Operator);
        Assert.Equal([("admin", Role.Operator), ("anna", Role.Admin)], _users.List().Select(u => (u.Name, u.Role)));
    }

    [Fact]
    public void Accounts_survive_a_restart_on_the_same_database_file()
    {
        _users.Add("esp01", Role.Device, "device-password", ["ESP01/"]);

        var reopened = new UserStore(new Database(_database.Data));

        var (account, hash) = reopened.Find("esp01")!.Value;
        Assert.Equal(Role.Device, account.Role);
        Assert.Equal(["ESP01/"], account.TopicPrefixes);
        Assert.True(PasswordHasher.Verify("device-password", hash));
    }
}
