
namespace TrackerDcs.Web.Common;

/// <summary>
/// Where the settings come from: appsettings.json beside the binary (copied there from the repository root),
/// then environment variables (<c>Endpoints__HttpsPort=…</c>), then the command line (<c>--Endpoints:HttpsPort=…</c>).
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

    /// <summary>Binds a section; a value that does not convert becomes an error naming its key.</summary>
    public static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException(section, e.Message);
        }
        return options;
    }

    public static void RequirePort(string key, int port)
    {
        if (port is < 0 or > 65535) throw new SettingsException(key, $"{port} is not a port (0 turns the endpoint off, else 1–65535)");
    }
}
