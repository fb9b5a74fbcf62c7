using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Platform;

/// <summary>`TrackerDcs users …` against a data directory, and the first start's admin.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UsersCliTests
{
    [Fact]
    public async Task Add_list_passwd_and_remove()
    {
        await using var stand = new StandProcess();
        Assert.Equal(0, (await stand.CliAsync("first-password", "users", "add", "alice", "--role", "operator")).ExitCode);
        Assert.Equal(0, (await stand.CliAsync("box-password", "users", "add", "esp07", "--role", "device", "--prefix", "ESP07/")).ExitCode);

        var list = await stand.CliAsync("", "users", "list");
        Assert.Matches(@"alice\s+operator", list.Stdout);
        Assert.Matches(@"esp07\s+device\s+ESP07/", list.Stdout);

        var duplicate = await stand.CliAsync("another-password", "users", "add", "alice", "--role", "viewer");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("user 'alice' already exists", duplicate.Stderr);

        var shortPassword = await stand.CliAsync("short", "users", "add", "bob", "--role", "viewer");
        Assert.Contains("at least 8 characters", shortPassword.Stderr);

        Assert.Equal(0, (await stand.CliAsync("second-password", "users", "passwd", "alice")).ExitCode);
        Assert.Equal(0, (await stand.CliAsync("", "users", "remove", "esp07")).ExitCode);
        Assert.DoesNotContain("esp07", (await stand.CliAsync("", "users", "list")).Stdout);

        var database = Path.Combine(stand.DataDirectory, "trackerdcs.db");
        var hash = await ProcessRunner.RunAsync("sqlite3", [database, "SELECT password_hash FROM users WHERE name='alice'"]);
        Assert.StartsWith("pbkdf2-sha256$", hash.Stdout);
        Assert.DoesNotContain("second-password", hash.Stdout);

        await stand.StartAsync();
        var refused = await Mosquitto.PubAsync(stand.MqttPort, ["-u", "alice", "-P", "first-password", "-t", "lab/x", "-m", "1"]);
        Assert.Equal(5, refused.ExitCode);
        var accepted = await Mosquitto.PubAsync(stand.MqttPort, ["-u", "alice", "-P", "second-password", "-t", "lab/x", "-m", "1"]);
        Assert.Equal(0, accepted.ExitCode);
    }

    [Fact]
    public async Task Unknown_subcommands_and_roles_are_explained()
    {
        await using var stand = new StandProcess();
        var usage = await stand.CliAsync("", "users", "frobnicate");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("usage:", usage.Stderr);
        var role = await stand.CliAsync("some-password", "users", "add", "carol", "--role", "superuser");
        Assert.Contains("unknown role 'superuser'", role.Stderr);
        var device = await stand.CliAsync("some-password", "users", "add", "esp09", "--role", "device");
        Assert.Contains("needs at least one topic prefix", device.Stderr);
    }

    [Theory]
    [InlineData("dcs/", "'dcs/' is below the device root 'dcs'")]
    [InlineData("julabo/extra/", "'julabo/extra/' is below the device root 'julabo'")]
    [InlineData("procedures/", "'procedures/' is below the device root 'procedures'")]
    [InlineData("ESP05/cmd/", "'ESP05/cmd/' is a command topic (+/cmd/#)")]
    [InlineData("", "a topic prefix may not be empty")]
    [InlineData("ESP+/", "'ESP+/' contains a wildcard")]
    public async Task A_device_prefix_must_be_nonempty_and_outside_device_roots_and_commands(string prefix, string error)
    {
        await using var stand = new StandProcess();
        var add = await stand.CliAsync("box-password", "users", "add", "esp05", "--role", "device", "--prefix", prefix);
        Assert.Equal(1, add.ExitCode);
        Assert.Contains(error, add.Stderr);
        Assert.DoesNotContain("esp05", (await stand.CliAsync("", "users", "list")).Stdout);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("-1")]
    public async Task Roles_are_taken_by_name_only(string number)
    {
        await using var stand = new StandProcess();
        var add = await stand.CliAsync("some-password", "users", "add", "mallory", "--role", number);
        Assert.Equal(1, add.ExitCode);
        Assert.Contains($"unknown role '{number}'", add.Stderr);
        Assert.Equal(0, (await stand.CliAsync("some-password", "users", "add", "mallory", "--role", "viewer")).ExitCode);
        var role = await stand.CliAsync("", "users", "role", "mallory", number);
        Assert.Equal(1, role.ExitCode);
        Assert.Matches(@"mallory\s+viewer", (await stand.CliAsync("", "users", "list")).Stdout);
    }

    [Fact]
    public async Task Without_a_configured_password_the_first_admin_gets_a_random_one_in_a_private_file()
    {
        await using var stand = new StandProcess();
        var settings = stand.Arguments.ToList();
        // Run the process without TRACKERDCS_ADMIN_PASSWORD until it is ready, then stop it.
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = stand.Directory };
        info.ArgumentList.Add(StandProcess.Binary);
        foreach (var a in settings) info.ArgumentList.Add(a);
        info.Environment.Remove("TRACKERDCS_ADMIN_PASSWORD");
        using var process = System.Diagnostics.Process.Start(info)!;
        var passwordFile = Path.Combine(stand.DataDirectory, "initial-admin-password");
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(passwordFile) && DateTime.UtcNow < deadline) await Task.Delay(200);
            Assert.True(File.Exists(passwordFile));
            await Task.Delay(300); // the line is written right after the file is created
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passwordFile));
            var password = (await File.ReadAllTextAsync(passwordFile)).Trim();
            Assert.True(password.Length >= 20);
            // Wait for the broker, then log in with it.
            ProcessResult? pub = null;
            while (DateTime.UtcNow < deadline)
            {
                pub = await Mosquitto.PubAsync(stand.MqttPort, ["-u", "admin", "-P", password, "-t", "lab/first", "-m", "1"]);
                if (pub.ExitCode == 0) break;
                await Task.Delay(300);
            }
            Assert.Equal(0, pub!.ExitCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
