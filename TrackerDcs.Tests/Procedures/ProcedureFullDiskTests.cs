using System.Text.Json;
using TrackerDcs.Tests.Alarms;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Procedures;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Procedures;

/// <summary>
/// A procedure holding HV on when the data disk fills (a 20 MB tmpfs filled to the last block): its record cannot
/// be written, yet its steps go on and its on_abort brings the stand down (HV off, then LV off), journaled like an
/// interlock's action since the audit cannot be written either. Once the disk has room, the run's whole record
/// reaches the store, and the on_abort commands the audit.
/// </summary>
public sealed class ProcedureFullDiskTests
{
    private const long DiskBytes = 20L << 20;
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    private const string HoldHv = """
        description: HV on, then a wait that times out, so that on_abort takes HV and LV off
        parameters:
          seconds: { unit: s, min: 1, max: 600, default: 20 }
        steps:
          - command: dcs/cmd/switch/lv on
          - wait_until: { condition: crate.lv_on, timeout: 30 }
          - command: julabo/cmd/start
          - wait_until: { condition: chiller.state == ON, stable_for: 2, timeout: 30 }
          - command: dcs/cmd/switch/hv on
          - wait_until: { condition: crate.hv_on, timeout: 60 }
          - wait_until: { condition: chiller.bath < -100, timeout: $seconds }
        """;

    [TmpfsFact]
    public async Task A_full_disk_neither_stops_a_procedures_steps_nor_its_on_abort_and_the_record_follows_once_there_is_room()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-procedure-fulldisk-").FullName;
        var procedures = Path.Combine(directory, "procedures");
        Directory.CreateDirectory(procedures);
        await File.WriteAllTextAsync(Path.Combine(procedures, "hold-hv.yml"), HoldHv);
        await using var disk = await SmallDiskStand.StartAsync(new Dictionary<string, string>
        {
            ["Procedures:Directory"] = procedures,
            ["Julabo:PollPeriod"] = "00:00:00.300",
            ["Julabo:CommandInterval"] = "00:00:00.020",
            ["Caen:PublishPeriod"] = "00:00:01",
        }, directory, DiskBytes);
        var stand = disk.Stand;
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/status", "procedures/status", "procedures/reply"]);
        var started = await sub.CommandAsync(stand.MqttPort, Admin, "procedures/cmd/start", """{"name":"hold-hv","params":{"seconds":20}}""", TimeSpan.FromSeconds(15));
        Assert.True(started.GetProperty("ok").GetBoolean(), started.ToString());
        var run = started.GetProperty("data").GetProperty("run").GetInt64();
        await sub.WaitOnAsync("dcs/status", s => s.Contains("\"HV_ON\""), TimeSpan.FromSeconds(90), "HV_ON from the procedure");

        await disk.FillAsync();

        // The wait times out: the run fails, and on_abort switches HV off, then LV off, although nothing can be written.
        var failed = await sub.WaitOnAsync("procedures/status", s => s.Contains("\"failed\""), TimeSpan.FromSeconds(60), "the run failed");
        Assert.Contains("time-out", JsonDocument.Parse(failed).RootElement.GetProperty("reason").GetString());
        await sub.WaitOnAsync("dcs/status", s => s.Contains("\"LV_OFF\""), TimeSpan.FromSeconds(60), "LV_OFF after on_abort");
        Assert.Contains($"Procedure run {run}: its record cannot be written", stand.Log);
        Assert.Contains("runs anyway, journaled", stand.Log);

        // Room again: the record reaches the store with its end and its on_abort steps, and the journaled rows the audit.
        disk.Free();
        var store = new SqliteProcedureRunStore(new Database(Path.Combine(stand.DataDirectory, "trackerdcs.db")));
        await Eventually.True(() => store.Get(run)?.State == ProcedureState.Failed, "the run's record written as failed once there was room", 30);
        var record = store.Get(run)!;
        Assert.Contains("time-out", record.Reason);
        Assert.Equal(["command", "command"], record.OnAbort.Select(s => s.Kind));
        Assert.All(record.OnAbort, s => Assert.True(s.Ok, s.Result));
        List<(string?, string?, bool)> audit = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !(audit = await AuditAsync(stand)).Contains(("dcs/cmd/switch/lv", "off", true)); await Task.Delay(200))
            Assert.True(DateTime.UtcNow < deadline, "the journaled LV off never reached /api/audit");
        Assert.Contains(("dcs/cmd/switch/hv", "off", true), audit);
    }

    private static async Task<List<(string?, string?, bool)>> AuditAsync(StandProcess stand) =>
        [.. JsonDocument.Parse(await stand.GetAsAdminAsync("/api/audit")).RootElement.EnumerateArray()
            .Where(r => r.GetProperty("user").GetString() == "procedure:hold-hv for admin")
            .Select(r => (r.GetProperty("topic").GetString(), r.GetProperty("payload").GetString(), r.GetProperty("ok").GetBoolean()))];
}
