using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TrackerDcs.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>The Alarms, Sensors and Runs pages in Chromium against the real process.</summary>
[Collection(PanelCollection.Name)]
public sealed class PanelAlarmsRunsSensorsTests(PanelStand panel)
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToContainTextOptions SoonContains = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 20_000 };
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    [Fact]
    public async Task An_operator_acknowledges_and_shelves_a_chiller_alarm_and_sees_it_cleared()
    {
        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        try
        {
            await using var context = await panel.ContextAsync();
            var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/alarms");
            var alarm = page.GetByLabel("Alarm julabo.fault:julabo");
            await Expect(alarm).ToContainTextAsync("LOW LIQUID LEVEL", SoonContains);
            await Expect(alarm).ToContainTextAsync("liquid level");   // the guidance
            await page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge julabo.fault:julabo" }).ClickAsync();
            await Expect(alarm).ToContainTextAsync("acknowledged by operator", SoonContains);

            var shelve = page.GetByRole(AriaRole.Button, new() { Name = "Shelve julabo.fault:julabo" });
            await Expect(shelve).ToBeDisabledAsync();   // no reason given yet
            // The reason counts as it is typed: the first click on Shelve is not lost to the field's blur.
            await alarm.GetByLabel("Reason to shelve").PressSequentiallyAsync("pump being serviced");
            await shelve.ClickAsync();
            await Expect(alarm).ToContainTextAsync("pump being serviced", SoonContains);

            await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/clear");
            await Expect(alarm).ToHaveCountAsync(0, new() { Timeout = 20_000 });
            await Expect(page.GetByLabel("Alarm history")).ToContainTextAsync("cleared", SoonContains);
        }
        finally
        {
            await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/clear");
        }
    }

    [Fact]
    public async Task A_chiller_fault_that_cleared_by_itself_stays_listed_until_acknowledged()
    {
        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        try
        {
            await using var context = await panel.ContextAsync();
            var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/alarms");
            var alarm = page.GetByLabel("Alarm julabo.fault:julabo");
            await Expect(alarm).ToContainTextAsync("LOW LIQUID LEVEL", SoonContains);
            await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/clear");
            await Expect(alarm).ToContainTextAsync(new Regex(@"cleared \d\d:\d\d:\d\d UTC, not acknowledged"), SoonContains);
            await Expect(page.GetByLabel("Alarm history")).ToContainTextAsync("cleared", SoonContains);

            await page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge all listed alarms" }).ClickAsync();
            await Expect(alarm).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        }
        finally
        {
            await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/clear");
        }
    }

    [Fact]
    public async Task A_sensor_box_shows_its_readings_and_dew_point()
    {
        await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-t", "ESP05/sensors/BME/temp", "-m", "20"]);
        await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-t", "ESP05/sensors/BME/humi", "-m", "50"]);
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/sensors");
        var box = page.GetByLabel("Sensor box ESP05");
        await Expect(box).ToContainTextAsync("BME_temp", SoonContains);
        await Expect(box).ToContainTextAsync("9.3 °C", SoonContains);   // dew point of 20 °C at 50 %
        await Expect(page.GetByLabel("Dew-point margin")).ToHaveTextAsync(new Regex(@"-?\d+\.\d °C"), Soon);
    }

    [Fact]
    public async Task An_operator_starts_an_lv_test_run_and_follows_it_to_its_document()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/runs");
        await page.GetByLabel("Calibration").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "lv-test" }).ClickAsync();
        await page.GetByLabel("Modules").ClickAsync();
        var module = page.GetByRole(AriaRole.Option, new() { Name = "module_0" });
        await module.ClickAsync();
        // The multi-select stays open after a choice and closes on Escape once the circuit has handled the click; on
        // loaded cores a first press can come too early, and the open list would take the clicks meant for the page.
        for (var attempt = 0; attempt < 20 && await module.IsVisibleAsync(); attempt++)
        {
            await page.Keyboard.PressAsync("Escape");
            await Task.Delay(250);
        }
        await Expect(module).ToBeHiddenAsync();

        // The crate is LV_OFF: the start is refused by the run's precondition, with its reason.
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        // By its label: just after the stand starts, the readiness banner may be an alert on the page too.
        await Expect(page.GetByLabel("Command refused")).ToContainTextAsync("crate", SoonContains);

        await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "on"]);
        try
        {
            var started = false;
            for (var deadline = DateTime.UtcNow.AddSeconds(20); !started && DateTime.UtcNow < deadline; await Task.Delay(500))
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
                started = await page.GetByLabel("Run state").TextContentAsync() is "running" or "finished";
            }
            await Expect(page.GetByLabel("Run state")).ToHaveTextAsync("finished", new() { Timeout = 30_000 });
            await Expect(page.GetByLabel("Run log")).ToContainTextAsync("Progress: ", SoonContains);
            await page.GetByLabel("Run history").GetByRole(AriaRole.Link).First.ClickAsync();
            await Expect(page.GetByLabel("Run document")).ToContainTextAsync("lv-test", SoonContains);
            await Expect(page.GetByLabel("Run document")).ToContainTextAsync("module_0");
        }
        finally
        {
            await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "off"]);
        }
    }
}
