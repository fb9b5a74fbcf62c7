using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Tests.Platform;

/// <summary>The one way an area takes its settings (Settings.AddSettings): bound, renamed keys converted, checked, named.</summary>
public sealed class SettingsTests
{
    private static WebApplicationBuilder Builder(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        return builder;
    }

    [Fact]
    public void A_renamed_key_still_loads_converted_and_is_named_for_a_warning()
    {
        var builder = Builder(("Alarms:SensorSilentAfterSeconds", "2"), ("Alarms:DisconnectedAfterSeconds", "1"), ("Alarms:DisconnectedAfter", "00:00:07"));
        var read = builder.AddSettings<AlarmOptions>();
        Assert.Equal(TimeSpan.FromSeconds(2), read.SensorSilentAfter);
        Assert.Equal(TimeSpan.FromSeconds(7), read.DisconnectedAfter);   // the new key wins over the old one
        using var services = builder.Services.BuildServiceProvider();
        Assert.Equal(TimeSpan.FromSeconds(2), services.GetRequiredService<AlarmOptions>().SensorSilentAfter);
        Assert.Equal([new Settings.RenamedSetting("Alarms:SensorSilentAfterSeconds", "Alarms:SensorSilentAfter")],
            services.GetServices<Settings.RenamedSetting>());
    }

    [Fact]
    public void An_old_key_from_a_later_source_overrides_the_new_key_of_an_earlier_one()
    {
        // The shipped appsettings.json has the new key; an older command line or environment still uses the old one.
        var builder = Builder(("Caen:PublishPeriod", "00:00:05"));
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("Caen:PublishPeriodSeconds", (string?)"1")]);
        Assert.Equal(TimeSpan.FromSeconds(1), builder.AddSettings<TrackerDcs.Web.Devices.Caen.CaenOptions>().PublishPeriod);
        using var services = builder.Services.BuildServiceProvider();
        Assert.Equal(TimeSpan.FromSeconds(1), services.GetRequiredService<TrackerDcs.Web.Devices.Caen.CaenOptions>().PublishPeriod);
    }

    [Fact]
    public void A_problem_names_the_key_the_settings_use()
    {
        var old = Assert.Throws<SettingsException>(() =>
            Builder(("Watchdog:Broker", "mqtt://127.0.0.1"), ("Watchdog:KeepAliveSeconds", "0")).AddSettings<WatchdogOptions>());
        Assert.Equal("setting 'Watchdog:KeepAliveSeconds': 0 is outside 1..3600 s", old.Message);
        var renamed = Assert.Throws<SettingsException>(() =>
            Builder(("Watchdog:Broker", "mqtt://127.0.0.1"), ("Watchdog:KeepAlive", "02:00:00")).AddSettings<WatchdogOptions>());
        Assert.Equal("setting 'Watchdog:KeepAlive': 7200 is outside 1..3600 s", renamed.Message);
    }

    [Fact]
    public void An_unknown_key_or_a_value_that_does_not_convert_is_refused_naming_its_section()
    {
        Assert.Contains("EvaluationPeriodd", Assert.Throws<SettingsException>(() => Builder(("Alarms:EvaluationPeriodd", "00:00:01")).AddSettings<AlarmOptions>()).Message);
        Assert.StartsWith("setting 'Alarms':", Assert.Throws<SettingsException>(() => Builder(("Alarms:EvaluationPeriod", "soon")).AddSettings<AlarmOptions>()).Message);
    }

    [Fact]
    public void The_options_are_validated_again_when_the_host_takes_them()
    {
        var builder = Builder();
        builder.AddSettings<AlarmOptions>();
        // Changed after registration: only the start-time check (ValidateOnStart, IOptions) can see it.
        builder.Configuration["Alarms:DiskFreePercentMin"] = "120";
        using var services = builder.Services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<AlarmOptions>());
        Assert.Equal(["setting 'Alarms:DiskFreePercentMin': 120 is not a percentage (0–100)"], e.Failures);
    }
}
