using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Runs;

/// <summary>The run-store contract on the embedded SQLite store, always (in CI too).</summary>
public sealed class SqliteRunStoreTests : RunStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-runstore-").FullName;

    protected override IRunStore Open() => new SqliteRunStore(new Database(Path.Combine(_directory, "trackerdcs.db")));

    [Fact] public Task Run_numbers_are_monotonic_and_unique() => Run_numbers_increase_and_are_never_reused_across_a_restart();
    [Fact] public Task Document_round_trip() => A_document_round_trips_with_snapshots_and_is_replaced_at_the_end();
    [Fact] public Task List_newest_first() => The_list_is_newest_first_and_limited();
    [Fact] public Task Large_result_blob() => A_large_result_goes_to_a_blob_and_comes_back_byte_for_byte();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
