using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Interlocks;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Sensors;
using TrackerDcs.Web.Panel;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;
using TrackerDcs.Web.Trends;

namespace TrackerDcs.Web.Hosting;

/// <summary>The stand's process. A setting that cannot be used stops the start with one line naming it.</summary>
public static class TrackerDcsHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
            Settings.AddSources(builder.Configuration, args);
            builder.AddPlatform();
            builder.AddCaen();
            builder.AddJulabo();
            builder.AddEnvironment();
            builder.AddInterlocks();
            builder.AddAlarms();
            builder.AddTimeSeries();
            builder.AddRuns();
            builder.AddTrends();
            builder.AddPanel();
            app = builder.Build();
            app.UsePlatform();
            app.UseCaen();
            app.UseJulabo();
            app.UseEnvironment();
            app.UseAlarms();
            app.UseTimeSeries();
            app.UseRuns();
            app.UseTrends();
            app.UsePanel();
        }
        catch (Exception e) when (e is SettingsException or InvalidDataException or FormatException)
        {
            Console.Error.WriteLine($"TrackerDcs cannot start: {e.Message}");
            return 2;
        }
        await app.RunAsync();
        return 0;
    }
}
