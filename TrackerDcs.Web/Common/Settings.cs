using Microsoft.Extensions.Options;

namespace TrackerDcs.Web.Common;

/// <summary>
/// Where the settings come from: appsettings.json beside the binary (copied there from the repository root),
/// then environment variables (<c>Endpoints__HttpsPort=…</c>), then the command line (<c>--Endpoints:HttpsPort=…</c>);
/// and the one way an area takes its section (<see cref="AddSettings{T}(WebApplicationBuilder, string, Func{T, IEnumerable{SettingsProblem}}, IReadOnlyList{ValueTuple{string, string}}?, Action{T}?)"/>).
/// </summary>
public static class Settings
{
    public static void AddSources(IConfigurationBuilder configuration, string[] args)
    {
        configuration.Sources.Clear();
        configuration.SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine(args);
    }

    public static IConfiguration Build(string[] args)
    {
        var configuration = new ConfigurationManager();
        AddSources(configuration, args);
        return configuration;
    }

    /// <summary>A key the options class does not have is an error, not a setting silently ignored.</summary>
    public static void Strict(BinderOptions options) => options.ErrorOnUnknownConfiguration = true;

    /// <summary>Binds a section (for the command-line tools, which have no host); a value that does not convert becomes an error naming its key.</summary>
    public static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options, Strict);
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException(section, e.Message);
        }
        return options;
    }

    /// <summary>Binds, validates and registers the section of <typeparamref name="T"/>; see the overload.</summary>
    public static T AddSettings<T>(this WebApplicationBuilder builder) where T : class, ISettingsSection, new() =>
        builder.AddSettings<T>(T.Section, o => o.Problems(), T.Renamed);

    /// <summary>
    /// The one way an area takes its settings: <c>AddOptions&lt;T&gt;().BindConfiguration(section)</c> with unknown keys
    /// refused, renamed keys converted, <paramref name="complete"/> applied (values from elsewhere, such as EPICS_CA_*),
    /// <paramref name="problems"/> as the validation, checked again on start (<c>ValidateOnStart</c>); consumers take
    /// <typeparamref name="T"/> itself. The section is also read and checked here, at registration, and returned: a
    /// bad setting stops the start before anything runs (exit 2, one line naming the key), and an area whose
    /// registration depends on its settings (which store, whether a watchdog) has them.
    /// </summary>
    public static T AddSettings<T>(this WebApplicationBuilder builder, string section, Func<T, IEnumerable<SettingsProblem>> problems,
        IReadOnlyList<(string Old, string New)>? renamed = null, Action<T>? complete = null) where T : class, new()
    {
        renamed ??= [];
        var services = builder.Services;
        services.AddOptions<T>().BindConfiguration(section, Strict)
            .PostConfigure<IConfiguration>((o, configuration) =>
            {
                Rename(o, configuration, section, renamed);
                complete?.Invoke(o);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(sp => new Validation<T>(sp.GetRequiredService<IConfiguration>(), section, problems, renamed));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);

        var options = Bind<T>(builder.Configuration, section);
        foreach (var (old, @new) in Rename(options, builder.Configuration, section, renamed))
            services.AddSingleton(new RenamedSetting($"{section}:{old}", $"{section}:{@new}"));
        complete?.Invoke(options);
        if (Check(options, builder.Configuration, section, problems, renamed).FirstOrDefault() is { Key: not null } problem)
            throw new SettingsException(problem.Key, problem.Problem);
        return options;
    }

    /// <summary>One warning per renamed key a settings file still uses, naming the key to use instead.</summary>
    public static void WarnOfRenamedSettings(this WebApplication app)
    {
        foreach (var renamed in app.Services.GetServices<RenamedSetting>())
            app.Logger.LogWarning("Setting '{Old}' is deprecated: it was converted to '{New}' (a duration such as 00:00:05); use that key", renamed.Old, renamed.New);
    }

    public static void RequirePort(string key, int port, ICollection<SettingsProblem> problems)
    {
        if (port is < 0 or > 65535) problems.Add(new(key, $"{port} is not a port (0 turns the endpoint off, else 1–65535)"));
    }

    /// <summary>A renamed key the settings still use (old and new, with the section).</summary>
    public sealed record RenamedSetting(string Old, string New);

    /// <summary>Converts the old keys in force into the new TimeSpan; returns those it converted.</summary>
    private static List<(string Old, string New)> Rename<T>(T options, IConfiguration configuration, string section, IReadOnlyList<(string Old, string New)> renamed)
    {
        var converted = new List<(string, string)>();
        foreach (var (old, @new) in renamed)
        {
            if (!OldKeyInForce(configuration, $"{section}:{old}", $"{section}:{@new}")) continue;
            var value = (double?)typeof(T).GetProperty(old)!.GetValue(options);
            if (value is not { } number) continue;
            var span = old.EndsWith("Minutes", StringComparison.Ordinal) ? TimeSpan.FromMinutes(number) : TimeSpan.FromSeconds(number);
            typeof(T).GetProperty(@new)!.SetValue(options, span);
            converted.Add((old, @new));
        }
        return converted;
    }

    /// <summary>
    /// Whether an old key is the one in force: set by a source that overrides every source of the new key (a
    /// --Caen:PublishPeriodSeconds on the command line beats the PublishPeriod of the shipped appsettings.json;
    /// in one source the new key wins).
    /// </summary>
    private static bool OldKeyInForce(IConfiguration configuration, string oldKey, string newKey)
    {
        if (configuration is not IConfigurationRoot root) return configuration[oldKey] is not null && configuration[newKey] is null;
        foreach (var provider in root.Providers.Reverse())
        {
            if (provider.TryGet(newKey, out _)) return false;
            if (provider.TryGet(oldKey, out _)) return true;
        }
        return false;
    }

    /// <summary>The problems, each named by the key the settings actually use (the old one, where it was converted).</summary>
    private static IEnumerable<SettingsProblem> Check<T>(T options, IConfiguration configuration, string section, Func<T, IEnumerable<SettingsProblem>> problems,
        IReadOnlyList<(string Old, string New)> renamed) =>
        problems(options).Select(p => renamed.FirstOrDefault(r => p.Key == $"{section}:{r.New}" && OldKeyInForce(configuration, $"{section}:{r.Old}", $"{section}:{r.New}")) is { Old: { } old }
            ? p with { Key = $"{section}:{old}" }
            : p);

    private sealed class Validation<T>(IConfiguration configuration, string section, Func<T, IEnumerable<SettingsProblem>> problems,
        IReadOnlyList<(string Old, string New)> renamed) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            Check(options, configuration, section, problems, renamed).Select(p => p.ToString()).ToList() is { Count: > 0 } failures
                ? ValidateOptionsResult.Fail(failures)
                : ValidateOptionsResult.Success;
    }
}
