using MongoDB.Driver;
using TrackerDcs.Web.Runs;

namespace TrackerDcs.Tests.Runs;

/// <summary>
/// The run-store contract on MongoDB, against the server TRACKERDCS_TEST_MONGODB names, in a database of its
/// own dropped afterwards. Without that variable every test here is reported as skipped, with the reason.
/// </summary>
public sealed class MongoRunStoreTests : RunStoreContract, IDisposable
{
    private readonly string _database = $"trackerdcs_test_{Guid.NewGuid():N}";

    protected override IRunStore Open() => new MongoRunStore(MongoDbFactAttribute.ConnectionString, _database);

    [MongoDbFact] public Task Run_numbers_are_monotonic_and_unique() => Run_numbers_increase_and_are_never_reused_across_a_restart();
    [MongoDbFact] public Task Document_round_trip() => A_document_round_trips_with_snapshots_and_is_replaced_at_the_end();
    [MongoDbFact] public Task List_newest_first() => The_list_is_newest_first_and_limited();
    [MongoDbFact] public Task Large_result_blob() => A_large_result_goes_to_a_blob_and_comes_back_byte_for_byte();

    public void Dispose()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(MongoDbFactAttribute.Variable))) return;
        new MongoClient(MongoDbFactAttribute.ConnectionString).DropDatabase(_database);
    }
}

/// <summary>The mapping between run documents and BSON, which needs no server and so runs everywhere.</summary>
public sealed class MongoDocumentMappingTests
{
    [Fact]
    public void A_document_survives_the_trip_through_bson()
    {
        var document = new RunDocument
        {
            Run = 5_000_000_000,
            Calibration = "pedestals",
            Modules = ["module_0"],
            Comment = "ü \"q\"",
            State = RunState.Stopped,
            Reason = "time-out after 2 s",
            StartMs = 1_795_000_000_123,
            EndMs = 1_795_000_002_456,
            ExitCode = 137,
            Results = [new ResultFile { Name = "Hist.root", Size = 300_000, Sha256 = "ab", BlobId = "65f0c0ffee0000000000beef" }],
            ConditionsStart = new System.Text.Json.Nodes.JsonObject { ["dew_point_margin"] = 12.5, ["vMon"] = 200.0, ["crate"] = new System.Text.Json.Nodes.JsonObject { ["fsm_state"] = "HV_ON" } },
        };
        var bson = MongoRunStore.ToBson(document);
        Assert.Equal(5_000_000_000, bson["_id"].AsInt64);
        var back = MongoRunStore.FromBson(bson);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(document), System.Text.Json.JsonSerializer.Serialize(back));
    }
}
