using TrackerDcs.Web.Interlocks;

namespace TrackerDcs.Tests.Interlocks;

/// <summary>The rule language and the rule file, without a stand.</summary>
public sealed class InterlockRulesTests
{
    private static Func<string, object?> Values(params (string, object?)[] values) =>
        name => values.FirstOrDefault(v => v.Item1 == name).Item2;

    [Fact]
    public void And_binds_tighter_than_or_and_states_compare_by_name()
    {
        var condition = InterlockCondition.Parse("crate.hv_on and chiller.state != ON or environment.dewpoint_margin < 1", 0);
        Assert.True(condition.Evaluate(Values(("crate.hv_on", true), ("chiller.state", "OFF")), false));
        Assert.False(condition.Evaluate(Values(("crate.hv_on", true), ("chiller.state", "ON")), false));
        Assert.False(condition.Evaluate(Values(("crate.hv_on", false), ("chiller.state", "OFF")), false));
        Assert.True(condition.Evaluate(Values(("environment.dewpoint_margin", 0.5)), false));
    }

    [Fact]
    public void Unknown_values_never_satisfy_a_comparison()
    {
        var condition = InterlockCondition.Parse("environment.dewpoint_margin < 1", 0);
        Assert.False(condition.Evaluate(Values(), false));
    }

    [Fact]
    public void Hysteresis_keeps_an_active_rule_until_the_value_is_back_past_the_band()
    {
        var condition = InterlockCondition.Parse("environment.dewpoint_margin < 1", 0.5);
        var active = false;
        var switches = 0;
        // A margin hovering around 1 °C: the rule switches on once and stays on until 1.5 °C.
        foreach (var margin in new[] { 1.2, 0.9, 1.1, 0.95, 1.3, 1.05, 1.49, 1.6, 1.2 })
        {
            var now = condition.Evaluate(Values(("environment.dewpoint_margin", margin)), active);
            if (now != active) switches++;
            active = now;
        }
        Assert.Equal(2, switches); // on at 0.9, off at 1.6
        Assert.False(active);
    }

    [Theory]
    [InlineData("interlocks:\n  - name: a\n    when: crate.hv_on and\n    actions: [hv_off]\n", 3, "'and' needs a comparison on each side")]
    [InlineData("interlocks:\n  - name: a\n    when: crate.voltage > 3\n    actions: [hv_off]\n", 3, "unknown signal 'crate.voltage'")]
    [InlineData("interlocks:\n  - name: a\n    when: crate.hv_on\n    actions: [explode]\n", 4, "unknown action 'explode'")]
    [InlineData("interlocks:\n  - name: a\n    when: crate.hv_on\n    action: [hv_off]\n", 4, "unknown key 'action'")]
    [InlineData("interlocks:\n  - name: a\n    when: sensor.ESP01.BME_pressure > 3\n    actions: [alarm]\n", 3, "unknown sensor field 'BME_pressure'")]
    [InlineData("interlocks:\n  - name: a\n    when: [crate.hv_on\n", 4, "not valid YAML")]
    [InlineData("interlocks:\n  - name: a\n    when: crate.hv_on ~ 3\n    actions: [alarm]\n", 3, "unknown operator '~'")]
    public void A_broken_rule_file_names_its_line(string text, int line, string problem)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, text);
        try
        {
            var error = Assert.Throws<InterlockFileException>(() => InterlockFile.Load(path));
            Assert.Contains($"{path}:{line}:", error.Message);
            Assert.Contains(problem, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_shipped_rules_load()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../.."));
        var rules = InterlockFile.Load(Path.Combine(root, "interlocks.yml"));
        Assert.Contains(rules, r => r.Name == "hv-off-without-cooling" && r.For == TimeSpan.FromSeconds(60) && r.Actions.SequenceEqual([InterlockAction.HvOff]));
        Assert.Contains(rules, r => r.Name == "condensation" && r.Actions.SequenceEqual([InterlockAction.HvOff, InterlockAction.LvOff]));
    }
}
