using System.Text.Json;
using System.Text.RegularExpressions;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Site;

/// <summary>How a stand topic travels to the site: an event kept until the site has it, a latest value, or not at all.</summary>
public enum Mirroring { None, Event, Latest }

/// <summary>A command from the site, unwrapped: the local topic, and the site's operator it is sent for.</summary>
public sealed record SiteCommand(string Topic, string Device, string User, Role Role, string Payload);

/// <summary>
/// The site's topics, as pure functions: what is mirrored and how, and the site's commands. The site's bus is MQTT 3.1.1
/// (RabbitMQ 3.10's plugin), which has no user properties: the operator's name travels in the payload, as
/// <c>{"user":"oscar","payload":"on"}</c> (and optionally <c>"role"</c>, the site's role of that user; operator if absent).
/// </summary>
public static partial class SiteTopics
{
    public static string Mirror(string stand, string topic) => $"site/{stand}/{topic}";

    public static string CommandFilter(string stand) => $"site/{stand}/+/cmd/#";

    public static string Reply(string stand, string device) => $"site/{stand}/{device}/reply";

    /// <summary>
    /// The stand's environment as its own interlocks and alarms compute it (<see cref="SiteEnvironment"/>): not a topic
    /// of the stand's bus, published to the site by the uplink itself (as site/&lt;stand&gt;/environment/status), a latest value.
    /// </summary>
    public const string Environment = "environment/status";

    /// <param name="isDeviceRoot">The stand's device roots (the command bus's: dcs, julabo, alarms, ph2acf, procedures, …).</param>
    public static Mirroring Classify(string topic, Func<string, bool> isDeviceRoot)
    {
        var levels = topic.Split('/');
        // A sensor box's reading (ESPnn/sensors/<sensor>/<quantity>): its box is no device root, its value a latest one.
        if (levels is [_, SensorsTopics.Level, _, _]) return Mirroring.Latest;
        if (levels.Length < 2 || !isDeviceRoot(levels[0])) return Mirroring.None;
        // Commands are never mirrored (the site sends its own); local replies answer local clients, and the site's own
        // commands are answered by the uplink on site/<stand>/<device>/reply.
        if (levels[1] is "cmd" or "reply") return Mirroring.None;
        return topic switch
        {
            // Each of these tells something that happened once: an alarm raised, a run started, a procedure's step.
            "alarms/events" or "ph2acf/status" or "procedures/status" or "procedures/log" => Mirroring.Event,
            // The calibration's stdout: thousands of lines a run, kept in the run's log file on the stand.
            "ph2acf/log" => Mirroring.None,
            _ => Mirroring.Latest,
        };
    }

    /// <summary>The site command on <paramref name="topic"/>, or why it cannot be one (named, for the reply).</summary>
    public static (SiteCommand? Command, string? Error) ParseCommand(string stand, string topic, string payload)
    {
        var prefix = $"site/{stand}/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal)) return (null, $"'{topic}' is not below {prefix}");
        var local = topic[prefix.Length..];
        var levels = local.Split('/');
        if (levels.Length < 3 || levels[1] != "cmd") return (null, $"'{topic}' is not {prefix}<device>/cmd/…");
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(payload);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return (null, $"the payload is not JSON {{\"user\":…,\"payload\":…}}: {e.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object) return (null, "the payload is not a JSON object {\"user\":…,\"payload\":…}");
        if (!root.TryGetProperty("user", out var user) || user.ValueKind != JsonValueKind.String || !UserName().IsMatch(user.GetString()!))
            return (null, "\"user\" is missing or not a user name (1 to 64 of letters, digits, '.', '_', '-', '@')");
        var role = Role.Operator;
        if (root.TryGetProperty("role", out var roleText))
        {
            if (roleText.ValueKind != JsonValueKind.String || roleText.GetString() is not ("viewer" or "operator" or "admin"))
                return (null, $"\"role\" is {roleText.GetRawText()}, not \"viewer\", \"operator\" or \"admin\"");
            role = Enum.Parse<Role>(roleText.GetString()!, ignoreCase: true);
        }
        var command = "";
        if (root.TryGetProperty("payload", out var inner))
            command = inner.ValueKind switch
            {
                JsonValueKind.String => inner.GetString()!,
                JsonValueKind.Null => "",
                // A structured command (julabo/cmd/setWT {"setpoint":1,"temp":20}) may be given as the object itself.
                _ => inner.GetRawText(),
            };
        return (new SiteCommand(local, levels[0], user.GetString()!, role, command), null);
    }

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex UserName();
}
