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
