using System.Text.Json.Nodes;
using TrackerDcs.Web.Runs;

namespace TrackerDcs.Tests.Runs;

/// <summary>
/// What every <see cref="IRunStore"/> must do, run against each implementation by a subclass that says how
/// to open it (twice on the same data: a restart) and marks each test with the fact attribute its peer needs.
/// </summary>
public abstract class RunStoreContract
{
    /// <summary>A store on this test's data; a second call is the same data after a restart.</summary>
    protected abstract IRunStore Open();

    protected async Task Run_numbers_increase_and_are_never_reused_across_a_restart()
    {
        var first = Open();
        var numbers = new List<long>();
        for (var i = 0; i < 3; i++) numbers.Add(await first.NextRunNumberAsync());
        // A number handed out but never saved (a run refused after numbering) is not handed out again either.
        var restarted = Open();
        var parallel = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => restarted.NextRunNumberAsync()));
        numbers.AddRange(parallel.Order());
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.True(numbers[0] >= 1);
    }

    protected async Task A_document_round_trips_with_snapshots_and_is_replaced_at_the_end()
    {
        var store = Open();
        var run = await store.NextRunNumberAsync();
        var document = new RunDocument
        {
            Run = run,
            Calibration = "pedestals",
            Modules = ["module_0", "module_1"],
            Comment = "ünïcode \"quoted\"",
            Operator = "olivia",
            StartMs = 1_795_000_000_123,
            Command = ["/usr/bin/ph2acf", "--run", run.ToString()],
            ConditionsStart = new JsonObject { ["crate"] = new JsonObject { ["fsm_state"] = "HV_ON" }, ["dew_point_margin"] = 12.5, ["channels"] = new JsonArray(new JsonObject { ["vMon"] = 200.0 }) },
        };
        await store.SaveAsync(document);
        var started = await Open().GetAsync(run);
        Assert.NotNull(started);
        Assert.Equal(RunState.Running, started.State);
        Assert.Equal(document.Comment, started.Comment);
        Assert.Equal(["module_0", "module_1"], started.Modules);
        Assert.Equal("HV_ON", started.ConditionsStart!["crate"]!["fsm_state"]!.GetValue<string>());
        Assert.Equal(12.5, started.ConditionsStart["dew_point_margin"]!.GetValue<double>());

        document.State = RunState.Finished;
        document.EndMs = document.StartMs + 4_567;
        document.ExitCode = 0;
        document.ConditionsEnd = new JsonObject { ["crate"] = new JsonObject { ["fsm_state"] = "HV_ON" } };
        document.Results = [new ResultFile { Name = "Results.txt", Size = 3, Sha256 = "ab", ContentBase64 = Convert.ToBase64String("abc"u8.ToArray()) }];
        await store.SaveAsync(document);
        var ended = await store.GetAsync(run);
        Assert.Equal(RunState.Finished, ended!.State);
        Assert.Equal(1_795_000_004_690, ended.EndMs);
        Assert.Equal(0, ended.ExitCode);
        Assert.Equal("abc", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(ended.Results.Single().ContentBase64!)));
        Assert.NotNull(ended.ConditionsEnd);
        Assert.Null(await store.GetAsync(run + 1000));
    }

    protected async Task The_list_is_newest_first_and_limited()
    {
        var store = Open();
        var runs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var run = await store.NextRunNumberAsync();
            runs.Add(run);
            await store.SaveAsync(new RunDocument { Run = run, Calibration = $"c{i}", StartMs = 1000 + i });
        }
        var listed = await store.ListAsync(2);
        Assert.Equal([runs[2], runs[1]], listed.Select(d => d.Run));
    }

    protected async Task A_large_result_goes_to_a_blob_and_comes_back_byte_for_byte()
    {
        var store = Open();
        var content = new byte[300 * 1024];
        new Random(7).NextBytes(content);
        var id = await store.PutBlobAsync(1, "Hist_Run1.root", new MemoryStream(content));
        Assert.Equal(content, await Open().GetBlobAsync(id));
        Assert.Null(await store.GetBlobAsync("no-such-blob"));
    }
}
