using Microsoft.Extensions.Logging.Console;

namespace TrackerDcs.Web.Hosting;

/// <summary>
/// The console log: every line starts with its time in UTC, ISO 8601 (2026-12-05T21:47:43.123Z), so that a
/// night's log says when things happened whatever the machine's time zone. Logging:Console:FormatterName
/// chooses "simple" (the default) or "json" (one JSON object a line, for a log collector), and
/// Logging:Console:FormatterOptions:* (TimestampFormat, UseUtcTimestamp, SingleLine, IncludeScopes, …) override
/// these defaults, from appsettings.json, environment variables (Logging__Console__FormatterOptions__…) or the
/// command line.
/// </summary>
public static class LoggingSetup
{
    public const string IsoUtc = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";

    public static void AddConsoleLog(this WebApplicationBuilder builder)
    {
        // Bound here from the configuration the host actually reads (Settings.AddSources replaces the builder's
        // sources after the default console logger took its options from the old ones: that is why the
        // FormatterOptions settings had no effect). Defaults first, the settings after them, so settings win.
        // Without a FormatterName the console logger takes its format from the obsolete ConsoleLoggerOptions
        // properties and ignores FormatterOptions altogether: the other reason those settings did nothing.
        builder.Services.PostConfigure<ConsoleLoggerOptions>(o => { if (string.IsNullOrEmpty(o.FormatterName)) o.FormatterName = ConsoleFormatterNames.Simple; });
        var section = builder.Configuration.GetSection("Logging:Console:FormatterOptions");
        builder.Services.Configure<SimpleConsoleFormatterOptions>(o => { o.TimestampFormat = IsoUtc; o.UseUtcTimestamp = true; });
        builder.Services.Configure<SimpleConsoleFormatterOptions>(section);
        builder.Services.Configure<JsonConsoleFormatterOptions>(o => { o.TimestampFormat = IsoUtc.TrimEnd(); o.UseUtcTimestamp = true; });
        builder.Services.Configure<JsonConsoleFormatterOptions>(section);
    }
}
