using System.Text.Json;
using TrackerDcs.Tests.Alarms;
using TrackerDcs.Tests.Runs;

namespace TrackerDcs.Tests.Platform;

/// <summary>
/// The data disk below Alarms:DiskFreePercentMin for real (a small tmpfs, filled): a new Ph2_ACF run and a new
/// procedure are refused, naming the free space and the setting; the run already going is not stopped.
/// </summary>
public sealed class LowDiskTests
{
    private const long DiskBytes = 64L << 20;

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
