using TrackerDcs.Web.Common;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.History;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.TimeSeries;

public static class TimeSeriesSetup
{
    /// <summary>
    /// The writer, and where it writes: InfluxDB (v1 or v2), with the on-disk spool for whatever it does not take, or the embedded
    /// database when TimeSeries:Influx:Api is None. The trend charts (<see cref="ITrendStore"/>) read from the same store.
    /// </summary>
    public static void AddTimeSeries(this WebApplicationBuilder builder)
    {
        var options = builder.AddSettings<TimeSeriesOptions>();
        // Site:Stand (checked with the site's settings) tags every line, with or without an uplink to the site.
        var stand = builder.Configuration["Site:Stand"] is { Length: > 0 } name ? new StandTag(name) : null;
        // A line with the tag twice is refused by InfluxDB as a whole: a rule's own "stand" tag would lose every reading it maps.
        for (var i = 0; stand is not null && i < options.Rules.Count; i++)
            if (options.Rules[i].TagKeys.Contains("stand") || options.Rules[i].TopicTags.ContainsKey("stand"))
                throw new SettingsException($"TimeSeries:Rules:{i}", "a tag named 'stand' is Site:Stand's; name the rule's tag otherwise");
        var services = builder.Services;
        if (options.Influx.Api == InfluxApi.None)
        {
            services.AddSingleton<EmbeddedStore>();
            services.AddSingleton<IPointStore>(sp => sp.GetRequiredService<EmbeddedStore>());
            services.AddSingleton<ITrendStore>(sp => sp.GetRequiredService<EmbeddedStore>());
            services.AddHostedService<EmbeddedMaintenance>();
        }
        else
        {
            services.AddSingleton<IInfluxSink>(_ => options.Influx.Api == InfluxApi.V1 ? new InfluxV1Sink(options.Influx) : new InfluxV2Sink(options.Influx));
            services.AddSingleton(sp => new Spool(sp.GetRequiredService<DataDirectory>().File("timeseries"), options.SpoolMaxBytes, options.SpoolSegmentBytes));
            services.AddSingleton(sp => new DeadLetters(sp.GetRequiredService<DataDirectory>().File("timeseries-dead-letters.txt"), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<InfluxShipper>();
            services.AddHostedService(sp => sp.GetRequiredService<InfluxShipper>());
            services.AddSingleton(sp => new InfluxStore(sp.GetRequiredService<IInfluxSink>(), sp.GetRequiredService<InfluxShipper>(),
                sp.GetRequiredService<Spool>(), options.SpoolMaxBytes, sp.GetRequiredService<ILogger<InfluxStore>>(), stand));
            services.AddSingleton<IPointStore>(sp => sp.GetRequiredService<InfluxStore>());
            services.AddSingleton(sp => new InfluxHistoryReader(options.Influx, (sp.GetRequiredService<IInfluxSink>() as InfluxV2Sink)?.Client));
            services.AddSingleton<ITrendStore>(sp => sp.GetRequiredService<InfluxHistoryReader>());
        }
        services.AddSingleton<TimeSeriesWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<TimeSeriesWriter>());
    }

    /// <summary>The writer subscribes to the broker tap before the first message, and the stores show in /readyz.</summary>
    public static void UseTimeSeries(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<TimeSeriesWriter>();
        var readiness = app.Services.GetRequiredService<Readiness>();
        if (app.Services.GetService<InfluxStore>() is not { } store || app.Services.GetService<InfluxShipper>() is not { } shipper) return;
        var spool = app.Services.GetRequiredService<Spool>();
        var sink = app.Services.GetRequiredService<IInfluxSink>();
        var deadLetters = app.Services.GetRequiredService<DeadLetters>();
        readiness.Register("store", "influxdb", () =>
        {
            var detail = $"{sink.Describe}; spool {spool.PendingBytes} bytes; {deadLetters.Count} dead letters";
            if (store.IsFull) return new ComponentState(false, "spool full", detail);
            return shipper.Failure is { } failure
                ? new ComponentState(true, "spooling", $"{detail}; {failure}")
                : new ComponentState(true, "writing", detail);
        });
    }
}
