using Microsoft.Extensions.Configuration;
using TrackerDcs.Tests.Alarms;
using TrackerDcs.Tests.Runs;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;
using TrackerDcs.Web.Hosting;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Platform;

/// <summary>
/// The data disk below Alarms:DiskFreePercentMin for real (a small tmpfs, filled): a new Ph2_ACF run and a new
/// procedure are refused, naming the free space and the setting; the run already going is not stopped.
/// </summary>
public sealed class LowDiskTests
{
    private const long DiskBytes = 64L << 20;

    [TmpfsFact]
    public async Task The_guard_refuses_only_new_starts_below_the_threshold_and_lets_a_running_procedure_start_its_runs()
    {
        var path = Directory.CreateTempSubdirectory("trackerdcs-lowdisk-guard-").FullName;
        await using (var mount = await SmallDisk.MountAsync(path, 8L << 20))
        {
            var data = new DataDirectory(new ConfigurationBuilder().AddInMemoryCollection([new("Data:Directory", path)]).Build());
            var guard = new LowDiskGuard(data, 50);
            CommandRequest Request(string topic, CommandOrigin origin = CommandOrigin.Mqtt) => new(topic, "{}", "olivia", Role.Operator, origin, "client-1");
            Assert.Null(guard.Refusal(Request("ph2acf/cmd/start")));

            var drive = new DriveInfo(path);
            await SmallDisk.FillAsync(Path.Combine(path, "filler.bin"), drive.AvailableFreeSpace - drive.TotalSize / 5);

            foreach (var topic in new[] { "ph2acf/cmd/start", "procedures/cmd/start" })
            {
                var refusal = guard.Refusal(Request(topic, CommandOrigin.Panel));
                Assert.NotNull(refusal);
                Assert.Matches($@"^the data disk {System.Text.RegularExpressions.Regex.Escape(path)} has \d+\.\d % free \(\d+(\.\d)? of 8\.4 MB\), below Alarms:DiskFreePercentMin 50 %", refusal);
            }
            Assert.Null(guard.Refusal(Request("ph2acf/cmd/start", CommandOrigin.Procedure)));
            Assert.Null(guard.Refusal(Request("ph2acf/cmd/stop")));
            Assert.Null(guard.Refusal(Request("procedures/cmd/abort")));
            Assert.Null(guard.Refusal(Request("dcs/cmd/switch/hv")));
        }
        try { Directory.Delete(path, recursive: true); } catch (IOException) { }
    }

    [TmpfsFact]
    public async Task Below_the_disk_threshold_new_runs_and_procedures_are_refused_and_the_running_run_goes_on()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-lowdisk-").FullName;
        var data = Path.Combine(directory, "data");
        var settings = RunStand.Calibration("slow", ["--seconds", "60"]);
        foreach (var (key, value) in RunStand.Calibration("quick", ["--seconds", "0.5"])) settings[key] = value;
        settings["Alarms:DiskFreePercentMin"] = "50";
        SmallDisk? mount = null;
        RunStand? stand = null;
        try
        {
            mount = await SmallDisk.MountAsync(data, DiskBytes);
            stand = await RunStand.StartAsync(settings, directory);
            var started = await stand.CommandAsync("ph2acf/cmd/start", """{"calibration":"slow","modules":["module_0"],"comment":"before the disk fills"}""");
            Assert.True(started.GetProperty("ok").GetBoolean(), started.ToString());
            var run = started.GetProperty("data").GetProperty("run").GetInt64();

            // A fifth of the disk left: far below the 50 % threshold whatever the stand writes meanwhile.
            var drive = new DriveInfo(data);
            await SmallDisk.FillAsync(Path.Combine(data, "filler.bin"), drive.AvailableFreeSpace - drive.TotalSize / 5);

            foreach (var (topic, payload) in new[]
            {
                ("ph2acf/cmd/start", """{"calibration":"quick","modules":["module_0"],"comment":"on a low disk"}"""),
                ("procedures/cmd/start", """{"name":"burn-in"}"""),
            })
            {
                var refused = await stand.CommandAsync(topic, payload);
                Assert.False(refused.GetProperty("ok").GetBoolean(), refused.ToString());
                var error = refused.GetProperty("error").GetString()!;
                Assert.StartsWith($"the data disk {data} has ", error);
                Assert.Contains("% free (", error);
                Assert.Contains("below Alarms:DiskFreePercentMin 50 %", error);
            }

            // The run that was going goes on: still running, and no other run was started.
            var mark = stand.Mark;
            var status = await stand.WaitForAsync("ph2acf/status", s => s.GetProperty("elapsed_s").GetDouble() > 0, "a status of the running run", mark);
            Assert.Equal(("running", run), (status.GetProperty("state").GetString(), status.GetProperty("run").GetInt64()));
            Assert.True((await stand.CommandAsync("ph2acf/cmd/stop", "")).GetProperty("ok").GetBoolean());
        }
        finally
        {
            if (stand is not null) await stand.DisposeAsync();
            if (mount is not null) await mount.DisposeAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
