using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Devices.Julabo;

namespace TrackerDcs.Tests.Julabo;

/// <summary>The seed's julabo/cmd/* payloads, parsed for the command bus, and run against a device.</summary>
public class JulaboRequestTests
{
    [Theory]
    [InlineData("start", "", "start")]
    [InlineData("useInt", "", "useInt")]
    [InlineData("useExt", "{}", "useExt")]
    [InlineData("setWT", """{"setpoint":1,"temp":20}""", "setWT setpoint=1 temp=20")]
    [InlineData("setWT", """{"setpoint":"2","temp":"-12.5"}""", "setWT setpoint=2 temp=-12.5")]
    [InlineData("useSP", """{"setpoint":2}""", "useSP setpoint=2")]
    [InlineData("setPress", """{"press":3}""", "setPress press=3")]
    public void Parses_seed_payloads(string name, string payload, string audit)
    {
        Assert.True(JulaboRequest.TryParse(name, payload, out var request, out var error), error);
        Assert.Equal(audit, request!.ToString());
    }

    [Theory]
    [InlineData("boil", "", "unknown Julabo command \"boil\"")]
    [InlineData("setWT", "20", "payload must be a JSON object such as {\"setpoint\":1,\"temp\":20}, got 20")]
    [InlineData("setWT", "{setpoint", "payload is not JSON")]
    [InlineData("setWT", """{"setpoint":1}""", "payload has no \"temp\"")]
    [InlineData("setWT", """{"setpoint":1,"temp":"warm"}""", "\"temp\" must be a number, got \"warm\"")]
    [InlineData("useSP", """{"setpoint":1.5}""", "\"setpoint\" must be a whole number, got 1.5")]
    [InlineData("setPress", "{}", "payload has no \"press\"")]
    // The commands that take no payload refuse one: a payload meant for another command is never run as this one.
    [InlineData("useInt", """{"nonsense":true}""", "useInt takes no payload, got '{\"nonsense\":true}'")]
    [InlineData("start", "now", "start takes no payload, got 'now'")]
    [InlineData("stop", "1", "stop takes no payload, got '1'")]
    public void Malformed_payloads_say_why(string name, string payload, string reason)
    {
        Assert.False(JulaboRequest.TryParse(name, payload, out var request, out var error));
        Assert.Null(request);
        Assert.StartsWith(reason, error);
    }

    [Fact]
    public void A_huge_payload_is_quoted_not_echoed_whole()
    {
        var payload = new string('x', 1_000_000);
        Assert.False(JulaboRequest.TryParse("setWT", payload, out _, out var notJson));
        Assert.False(JulaboRequest.TryParse("setWT", $$"""{"setpoint":1,"temp":"{{payload}}"}""", out _, out var notNumber));
        Assert.False(JulaboRequest.TryParse("useInt", payload, out _, out var notEmpty));
        Assert.All([notJson, notNumber, notEmpty], error => Assert.InRange(error!.Length, 1, 200));
    }

    [Fact]
    public async Task Runs_against_the_device()
    {
        await using var rig = new JulaboRig(Link.Tcp);
        await rig.WaitForState(JulaboState.Off);

        JulaboRequest.TryParse("setWT", """{"setpoint":3,"temp":99}""", out var tooHot, out _);
        Assert.Equal("temp 99 is outside the limits -50..50 °C", (await tooHot!.ExecuteAsync(rig.Device)).Error);

        JulaboRequest.TryParse("setWT", """{"setpoint":3,"temp":15}""", out var setWT, out _);
        JulaboRequest.TryParse("useSP", """{"setpoint":3}""", out var useSP, out _);
        JulaboRequest.TryParse("start", "", out var start, out _);
        foreach (var request in new[] { setWT, useSP, start })
            Assert.True((await request!.ExecuteAsync(rig.Device)).Ok, request.ToString());
        await rig.WaitFor(s => s is { FsmState: JulaboState.On, UsedSetpoint: 3, Setpoint3: 15 }, "running on set point 3 = 15 °C");
    }
}
