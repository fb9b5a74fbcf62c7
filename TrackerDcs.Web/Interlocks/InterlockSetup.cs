using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Interlocks;

/// <summary>Section "Interlocks": the rule file, beside the binary (copied there from the repository root).</summary>
public sealed class InterlockOptions
{
    public string File { get; set; } = "interlocks.yml";
}

public static class InterlockSetup
{
    /// <summary>The rules are read here, at start-up: a broken file stops the process with its line.</summary>
    public static void AddInterlocks(this WebApplicationBuilder builder)
    {
        var options = Settings.Bind<InterlockOptions>(builder.Configuration, "Interlocks");
        IReadOnlyList<InterlockRule> rules;
        try
        {
            rules = InterlockFile.Load(Path.GetFullPath(options.File, AppContext.BaseDirectory));
        }
        catch (InterlockFileException e)
        {
            throw new SettingsException("Interlocks:File", e.Message);
        }
        builder.Services.AddSingleton(rules);
        builder.Services.AddSingleton<InterlockSignals>();
        builder.Services.AddSingleton<InterlockEngine>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InterlockEngine>());
        builder.Services.AddSingleton<IAlarmSource>(sp => sp.GetRequiredService<InterlockEngine>());
    }
}
