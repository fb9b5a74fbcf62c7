using TrackerDcs.Web.Procedures;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Procedures;

/// <summary>The procedure-run store contract on the embedded SQLite store, always (in CI too).</summary>
public sealed class SqliteProcedureRunStoreTests : ProcedureRunStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-procedurestore-").FullName;

    protected override IProcedureRunStore Open() => new SqliteProcedureRunStore(new Database(Path.Combine(_directory, "trackerdcs.db")));

    [Fact] public void Run_numbers_are_monotonic_and_unique() => Run_numbers_increase_and_are_never_reused_across_a_restart();
    [Fact] public void Run_round_trip() => A_run_round_trips_with_its_steps_and_is_replaced_as_it_goes();
    [Fact] public void List_and_unfinished() => The_list_is_newest_first_and_limited_and_the_unfinished_are_those_left_running_or_paused();
    [Fact] public void Spans() => Spans_are_the_runs_overlapping_the_window_oldest_first_a_running_one_open_ended();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
