using TrackerDcs.Web.Common;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Web.MqttDevices;

/// <summary>
/// One device that speaks MQTT itself (MqttDevices:&lt;name&gt;): its topic root, the account it logs in with (which
/// sees only its root), its command topics with the payloads each accepts, and the topic it publishes its status
/// on. Operators' commands are checked, audited and passed through to it; <see cref="Record"/> maps its status into
/// the time series.
/// </summary>
public sealed class MqttDeviceOptions
{
    /// <summary>The first topic level, the device's own (SB for the switch box).</summary>
    public string Root { get; set; } = "";

    /// <summary>The device account (role device) the device logs in with; it sees and publishes only below its root.</summary>
    public string Account { get; set; } = "";

    public string StatusTopic { get; set; } = "";
    public List<MqttDeviceCommand> Commands { get; set; } = [];

    /// <summary>How the status is written to the time series (its Topic defaults to the status topic); none when a default rule covers it.</summary>
    public MappingRule? Record { get; set; }

    /// <summary>The mapping rule of the status, its topic filled in.</summary>
    public MappingRule? StatusRule()
    {
        if (Record is null) return null;
        if (string.IsNullOrEmpty(Record.Topic)) Record.Topic = StatusTopic;
        return Record;
    }

    public IEnumerable<SettingsProblem> Problems(string name)
    {
        var key = $"{MqttDevicesOptions.SectionName}:{name}";
        if (string.IsNullOrWhiteSpace(Root) || Root.IndexOfAny(['/', '+', '#', '$']) >= 0)
            yield return new($"{key}:Root", $"'{Root}' is not a topic level (not empty, no / + # $)");
        if (string.IsNullOrWhiteSpace(Account)) yield return new($"{key}:Account", "is empty: name the device account the device logs in with");
        if (!StatusTopic.StartsWith(Root + "/", StringComparison.Ordinal) || StatusTopic.IndexOfAny(['+', '#']) >= 0)
            yield return new($"{key}:StatusTopic", $"'{StatusTopic}' must be a topic below {Root}/ without wildcards");
        if (Commands.Count == 0) yield return new($"{key}:Commands", "declares no command topic");
        for (var i = 0; i < Commands.Count; i++)
            foreach (var problem in Commands[i].Validate(Root))
                yield return new($"{key}:Commands:{i}:{problem.Split(' ', 2)[0].TrimEnd(':')}", problem);
        if (StatusRule() is { } rule)
            foreach (var problem in rule.Validate()) yield return new($"{key}:Record", problem);
    }
}

/// <summary>Section "MqttDevices": the declared devices by name.</summary>
public sealed class MqttDevicesOptions : Dictionary<string, MqttDeviceOptions>, ISettingsSection
{
    public const string SectionName = "MqttDevices";
    public static string Section => SectionName;

    public IEnumerable<SettingsProblem> Problems()
    {
        foreach (var (name, device) in this)
            foreach (var problem in device.Problems(name)) yield return problem;
        foreach (var twice in Values.GroupBy(d => d.Root).Where(g => g.Count() > 1 && !string.IsNullOrEmpty(g.Key)))
            yield return new(SectionName, $"root '{twice.Key}' is declared by more than one device");
        foreach (var twice in Values.GroupBy(d => d.Account).Where(g => g.Count() > 1 && !string.IsNullOrEmpty(g.Key)))
            yield return new(SectionName, $"account '{twice.Key}' is declared by more than one device");
    }

    /// <summary>The declaration whose account this is, or null.</summary>
    public MqttDeviceOptions? ByAccount(string account) => Values.FirstOrDefault(d => d.Account == account);
}
