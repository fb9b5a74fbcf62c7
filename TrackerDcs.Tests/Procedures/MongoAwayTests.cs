using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Procedures;

/// <summary>
/// A stand whose run store is a MongoDB that does not answer (Runs:MongoDb names a port nobody listens on): it starts
/// and switches its crate all the same (the store is not a protection), says in its log that the stores are not
/// usable, and refuses a procedure or calibration start with the store's reason instead of running without a record.
/// </summary>
public sealed class MongoAwayTests
{
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    [Fact]
    public async Task A_stand_whose_mongodb_is_away_starts_switches_and_refuses_runs_it_cannot_record()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-mongo-away-").FullName;
        var procedures = Path.Combine(directory, "procedures");
        Directory.CreateDirectory(procedures);
        await File.WriteAllTextAsync(Path.Combine(procedures, "short-wait.yml"), """
            description: a short wait
            steps:
              - wait: 1
            """);
        var port = FreePort.Tcp();
        var away = $"MongoDB 127.0.0.1:{port} did not answer within 5 s";
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Runs:MongoDb"] = $"mongodb://127.0.0.1:{port}/?connectTimeoutMS=500",
            ["Procedures:Directory"] = procedures,
        }, directory);
        try
        {
            await stand.StartAsync();
            await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/status", "dcs/reply", "procedures/reply", "ph2acf/reply"]);

            var on = await sub.CommandAsync(stand.MqttPort, Admin, "dcs/cmd/switch/lv", "on", TimeSpan.FromSeconds(15));
            Assert.True(on.GetProperty("ok").GetBoolean(), on.ToString());
            await sub.WaitOnAsync("dcs/status", s => s.Contains("\"LV_ON\""), TimeSpan.FromSeconds(30), "LV_ON");
            await Eventually.True(() => stand.Log.Contains($"Procedure run store mongodb not usable at start ({away}"), "the procedure store's problem logged", 30);
            await Eventually.True(() => stand.Log.Contains($"Run store mongodb not usable at start: {away}"), "the run store's problem logged", 30);

            var procedure = await sub.CommandAsync(stand.MqttPort, Admin, "procedures/cmd/start", """{"name":"short-wait"}""", TimeSpan.FromSeconds(30));
            Assert.False(procedure.GetProperty("ok").GetBoolean(), procedure.ToString());
            Assert.Contains($"the procedure runs cannot be read ({away}", procedure.GetProperty("error").GetString());
            Assert.Contains("not started", procedure.GetProperty("error").GetString());

            var calibration = await sub.CommandAsync(stand.MqttPort, Admin, "ph2acf/cmd/start", """{"calibration":"lv-test","modules":["module_0"]}""", TimeSpan.FromSeconds(30));
            Assert.False(calibration.GetProperty("ok").GetBoolean(), calibration.ToString());
            Assert.Contains($"the run cannot be recorded ({away}", calibration.GetProperty("error").GetString());
            // One line each, not the driver's view of the cluster.
            Assert.All([procedure.ToString(), calibration.ToString()], reply => Assert.True(reply.Length < 400, reply));
            Assert.DoesNotContain("ServerSelector", stand.Log);
            Assert.True(stand.IsRunning);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
