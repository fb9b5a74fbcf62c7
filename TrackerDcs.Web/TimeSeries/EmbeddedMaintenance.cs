using Microsoft.Data.Sqlite;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>Runs <see cref="EmbeddedStore.Maintain"/> every <see cref="EmbeddedOptions.MaintenancePeriod"/>, off the writer's path.</summary>
public sealed class EmbeddedMaintenance(EmbeddedStore store, TimeSeriesOptions options, TimeProvider time, ILogger<EmbeddedMaintenance> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Embedded.MaintenancePeriod, time);
        do
        {
            try
            {
                var result = store.Maintain();
                if (result.ChunksRolledUp > 0 || result.RawRowsPruned > 0 || result.RollupRowsPruned > 0)
                    log.LogDebug("Embedded store: {Chunks} chunks rolled up, {Raw} raw readings and {Rollups} rollup chunks pruned",
                        result.ChunksRolledUp, result.RawRowsPruned, result.RollupRowsPruned);
            }
            catch (Exception e) when (e is SqliteException or IOException or InvalidDataException)
            {
                // A full or busy disk: nothing is lost (raw readings go only once rolled up); the next pass tries again.
                log.LogError("Embedded store: the rollup and pruning pass failed, retried in {Period}: {Error}", options.Embedded.MaintenancePeriod, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
