using System.Text.RegularExpressions;
using TrackerDcs.Web.Alarms;

namespace TrackerDcs.Tests.Alarms;

/// <summary>
/// Guidance names the panel's buttons, not MQTT topics (issue 20, item 10): an operator at the panel reads "Power page →
/// Clear alarms"; a command topic is mentioned only as what a script sends instead.
/// </summary>
public sealed class AlarmGuidanceTests
{
    /// <summary>Every definition of the catalogue, by code.</summary>
    public static TheoryData<string> Codes() => [.. Definitions().Keys];

    [Theory]
    [MemberData(nameof(Codes))]
    public void A_command_topic_in_guidance_is_only_the_scripts_alternative_to_a_named_button(string code)
    {
        var guidance = Definitions()[code].Guidance;
        foreach (Match topic in GuidanceReferences.Topic.Matches(guidance))
        {
            Assert.Matches(new Regex($@"\(a script sends {Regex.Escape(topic.Value)}\)"), guidance);
            Assert.NotEmpty(GuidanceReferences.Buttons(guidance));
        }
    }

    [Fact]
    public void The_alarms_that_need_a_command_name_its_button()
    {
        Assert.Contains(("Power", "Clear alarms"), GuidanceReferences.Buttons(AlarmCatalog.ChannelTrip.Guidance));
        Assert.Contains(("Power", "Clear alarms"), GuidanceReferences.Buttons(AlarmCatalog.CrateError.Guidance));
        Assert.Contains(("Chiller", "Reconnect"), GuidanceReferences.Buttons(AlarmCatalog.ChillerLimits.Guidance));
        Assert.Contains(("CO2 plant", "Clear alarms"), GuidanceReferences.Buttons(AlarmCatalog.MartaFailSafe.Guidance));
        Assert.Contains(("CO2 plant", "Clear alarms"), GuidanceReferences.Buttons(AlarmCatalog.MartaInconsistent.Guidance));
        // A latched interlock alarm stays until acknowledged: its guidance says where.
        var interlock = AlarmCatalog.InterlockGuidance("condensation", "environment.dewpoint_margin < 1", "dcs/cmd/switch/hv off, dcs/cmd/switch/lv off");
        Assert.Contains(("Alarms", "Acknowledge"), GuidanceReferences.Buttons(interlock));
        Assert.Contains("(a script sends alarms/cmd/ack)", interlock);
    }

    private static Dictionary<string, AlarmDefinition> Definitions() => typeof(AlarmCatalog).GetFields()
        .Select(f => f.GetValue(null)).OfType<AlarmDefinition>().ToDictionary(d => d.Code);
}

/// <summary>How guidance refers to the panel ("‹page› page → ‹button›") and to command topics (‹root›/cmd/‹command›).</summary>
public static class GuidanceReferences
{
    public static readonly Regex Topic = new(@"\b[A-Za-z0-9_]+/cmd/[A-Za-z0-9_/]+");

    private static readonly Regex Button = new(@"(?<page>Power|Chiller|CO2 plant|Alarms) page → (?<button>[^,;.()]+?)(?=\s*(?:[,;.()]|$| to | before | writes ))");

    /// <summary>The (page, button) pairs a guidance text names, each page as the navigation names it.</summary>
    public static IReadOnlyList<(string Page, string Button)> Buttons(string guidance) =>
        [.. Button.Matches(guidance).Select(m => (m.Groups["page"].Value, m.Groups["button"].Value))];

    /// <summary>Every (page, button) pair that the catalogue's guidance names.</summary>
    public static IReadOnlyList<(string Page, string Button)> InCatalog() => [.. typeof(AlarmCatalog).GetFields()
        .Select(f => f.GetValue(null)).OfType<AlarmDefinition>().SelectMany(d => Buttons(d.Guidance)).Distinct()];
}
