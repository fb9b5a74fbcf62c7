using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Interlocks;

public static class InterlockSetup
{
    /// <summary>The rules are read here, at start-up: a broken file stops the process with its line.</summary>
    public static void AddInterlocks(this WebApplicationBuilder builder)
    {
        var options = builder.AddSettings<InterlockOptions>();
        IReadOnlyList<InterlockRule> rules;
        try
        {
            rules = InterlockFile.Load(options.Path);
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

    /// <summary>Every command passes the active interlocks' refusals, from the first one on.</summary>
    public static void UseInterlocks(this WebApplication app)
    {
        var rules = app.Services.GetRequiredService<IReadOnlyList<InterlockRule>>();
        if (InterlockSignals.UnknownMartaSignal(rules, app.Services.GetService<Hardware.Marta.MartaRegisterMap>()) is { } problem)
            throw new SettingsException("Interlocks:File", problem);
        app.Services.GetRequiredService<CommandBus>().AddGuard(app.Services.GetRequiredService<InterlockEngine>().Refusal);
    }
}
