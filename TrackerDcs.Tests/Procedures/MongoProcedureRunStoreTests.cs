using System.Text.Json;
using MongoDB.Driver;
using TrackerDcs.Tests.Runs;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Tests.Procedures;

/// <summary>
/// The procedure-run store contract on MongoDB, against the server TRACKERDCS_TEST_MONGODB names, in a database of
/// its own dropped afterwards. Without that variable every test here is reported as skipped, with the reason.
/// </summary>
public sealed class MongoProcedureRunStoreTests : ProcedureRunStoreContract, IDisposable
{
    private readonly string _database = $"trackerdcs_test_{Guid.NewGuid():N}";

    protected override IProcedureRunStore Open() => new MongoProcedureRunStore(MongoDbFactAttribute.ConnectionString, _database);

    [MongoDbFact] public void Run_numbers_are_monotonic_and_unique() => Run_numbers_increase_and_are_never_reused_across_a_restart();
    [MongoDbFact] public void Run_round_trip() => A_run_round_trips_with_its_steps_and_is_replaced_as_it_goes();
    [MongoDbFact] public void List_and_unfinished() => The_list_is_newest_first_and_limited_and_the_unfinished_are_those_left_running_or_paused();
    [MongoDbFact] public void Spans() => Spans_are_the_runs_overlapping_the_window_oldest_first_a_running_one_open_ended();

    public void Dispose()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(MongoDbFactAttribute.Variable))) return;
        new MongoClient(MongoDbFactAttribute.ConnectionString).DropDatabase(_database);
    }
}

/// <summary>The mapping between procedure runs and BSON, which needs no server and so runs everywhere.</summary>
public sealed class MongoProcedureMappingTests
{
    [Fact]
    public void A_run_survives_the_trip_through_bson_with_its_numbers_typed_for_the_queries()
    {
        var document = new ProcedureRunDocument
        {
            Run = 5_000_000_000,
            Procedure = "iv-scan",
            Operator = "olivia",
            Parameters = new() { ["stop"] = 800, ["settle"] = 0.5, ["k"] = 1e-3 },
            Modules = ["module_0", "module_1"],
            Comment = "ü \"q\"",
            State = ProcedureState.Failed,
            Reason = "step 2/2 (line 12) iv_scan failed: compliance",
            StartMs = 1_000,
            EndMs = null,
            StepCount = 2,
            Steps = [new StepRecord { Index = 0, Kind = "iv_scan", Line = 12, Description = "0 → 800 V", StartMs = 1_010, EndMs = 9_000, Ok = false, Result = "refused compliance" }],
            OnAbort = [new StepRecord { Index = 0, Kind = "command", Line = 0, Description = "dcs/cmd/switch/hv off", StartMs = 9_001 }],
        };
        var bson = MongoProcedureRunStore.ToBson(document);

        Assert.Equal(5_000_000_000, bson["_id"].AsInt64);
        // A small start time is still a 64-bit integer, and a run going on has its end as null: the span query compares both.
        Assert.Equal(1_000, bson["start_ms"].AsInt64);
        Assert.True(bson["end_ms"].IsBsonNull);
        Assert.Equal("failed", bson["state"].AsString);
        var back = MongoProcedureRunStore.FromBson(bson);
        Assert.Equal(JsonSerializer.Serialize(document, Json.Options), JsonSerializer.Serialize(back, Json.Options));
    }
}
