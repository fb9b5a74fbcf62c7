using System.Text.Json;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Tests.Procedures;

/// <summary>
/// What every <see cref="IProcedureRunStore"/> must do, run against each implementation by a subclass that says how
/// to open it (twice on the same data: a restart) and marks each test with the fact attribute its peer needs.
/// </summary>
public abstract class ProcedureRunStoreContract
{
    /// <summary>A store on this test's data; a second call is the same data after a restart.</summary>
    protected abstract IProcedureRunStore Open();

    private static ProcedureRunDocument Run(string procedure, long startMs, long? endMs = null, ProcedureState state = ProcedureState.Running) => new()
    {
        Procedure = procedure,
        Operator = "olivia",
        Parameters = new() { ["stop"] = 800, ["settle"] = 0.5 },
        Modules = ["module_0"],
        Comment = "ünïcode \"quoted\"",
        State = state,
        StartMs = startMs,
        EndMs = endMs,
        StepCount = 2,
    };

    protected void Run_numbers_increase_and_are_never_reused_across_a_restart()
    {
        var first = Open();
        var numbers = Enumerable.Range(0, 3).Select(i => first.Insert(Run("iv-scan", 1_000 + i))).ToList();
        var restarted = Open();
        var parallel = new long[10];
        Parallel.For(0, parallel.Length, i => parallel[i] = restarted.Insert(Run("burn-in", 2_000 + i)));
        numbers.AddRange(parallel.Order());
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.True(numbers[0] >= 1);
    }

    protected void A_run_round_trips_with_its_steps_and_is_replaced_as_it_goes()
    {
        var store = Open();
        var document = Run("iv-scan", 1_795_000_000_123);
        var run = store.Insert(document);
        Assert.Equal(run, document.Run);
        document.Steps.Add(new StepRecord { Index = 0, Kind = "iv_scan", Line = 12, Description = "0 → 800 V", StartMs = document.StartMs + 10 });
        store.Save(document);
        Assert.Equal([ProcedureState.Running], Open().Unfinished().Where(r => r.Run == run).Select(r => r.State));

        document.Steps[0].EndMs = document.StartMs + 5_000;
        document.Steps[0].Ok = true;
        document.Steps[0].Result = """ok {"stopped":null,"points":[{"channel":"0","v_set":10,"i":0.012}]}""";
        document.OnAbort.Add(new StepRecord { Index = 0, Kind = "command", Line = 1, Description = "dcs/cmd/switch/hv off", StartMs = document.StartMs + 5_001 });
        document.State = ProcedureState.Failed;
        document.Reason = "aborted by olivia";
        document.EndMs = document.StartMs + 6_000;
        store.Save(document);

        var back = Open().Get(run);
        Assert.Equal(JsonSerializer.Serialize(document, Json.Options), JsonSerializer.Serialize(back, Json.Options));
        Assert.DoesNotContain(Open().Unfinished(), r => r.Run == run);
        Assert.Null(store.Get(run + 1_000));
    }

    protected void The_list_is_newest_first_and_limited_and_the_unfinished_are_those_left_running_or_paused()
    {
        var store = Open();
        var finished = store.Insert(Run("iv-scan", 1_000, 2_000, ProcedureState.Finished));
        var paused = store.Insert(Run("burn-in", 3_000, state: ProcedureState.Paused));
        var running = store.Insert(Run("thermal-cycle", 4_000));

        Assert.Equal([running, paused], store.List(2).Select(r => r.Run));
        Assert.Equal([running, paused, finished], Open().List(10).Select(r => r.Run));
        Assert.Equal([paused, running], Open().Unfinished().Select(r => r.Run));
    }

    protected void Spans_are_the_runs_overlapping_the_window_oldest_first_a_running_one_open_ended()
    {
        var store = Open();
        var before = store.Insert(Run("iv-scan", 1_000, 1_900, ProcedureState.Finished));
        var across = store.Insert(Run("burn-in", 1_500, 2_500, ProcedureState.Failed));
        var inside = store.Insert(Run("iv-scan", 2_100, 2_200, ProcedureState.Finished));
        var going = store.Insert(Run("thermal-cycle", 2_800));
        var after = store.Insert(Run("iv-scan", 3_100, 3_200, ProcedureState.Finished));

        var spans = store.Spans(2_000, 3_000, 10);
        Assert.Equal([across, inside, going], spans.Select(s => s.Run));
        Assert.Equal(("burn-in", "failed", 1_500L, (long?)2_500), (spans[0].Procedure, spans[0].State, spans[0].StartMs, spans[0].EndMs));
        Assert.Equal(["module_0"], spans[0].Modules);
        Assert.Equal(("thermal-cycle", "running", 2_800L, (long?)null), (spans[2].Procedure, spans[2].State, spans[2].StartMs, spans[2].EndMs));
        // The newest of them when there are more than the limit.
        Assert.Equal([inside, going], store.Spans(2_000, 3_000, 2).Select(s => s.Run));
        Assert.DoesNotContain(before, store.Spans(2_000, 3_000, 10).Select(s => s.Run));
        Assert.DoesNotContain(after, store.Spans(2_000, 3_000, 10).Select(s => s.Run));
    }
}
