using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// The broker's topic rules, without I/O:
/// everybody authenticated reads everything except other clients' <c>private/&lt;client id&gt;/</c> topics
/// (an inbox: others may write there, as the command bus does with MQTT 5 replies, only its owner reads);
/// only operators and admins publish to <c>+/cmd/#</c>; below a device root (dcs, julabo, …) only the
/// process publishes, apart from the commands; device accounts publish only below their prefixes, and no commands.
/// </summary>
public sealed class TopicAcl(Func<string, bool> isDeviceRoot)
{
    public const string PrivateRoot = "private/";

    /// <summary>Matches <c>+/cmd/#</c>: the second level is "cmd".</summary>
    public static bool IsCommand(string topic)
    {
        var first = topic.IndexOf('/');
        if (first < 0) return false;
        var rest = topic.AsSpan(first + 1);
        return rest.SequenceEqual("cmd") || rest.StartsWith("cmd/");
    }

    public static bool IsPrivateOfAnother(string topic, string clientId) =>
        topic.StartsWith(PrivateRoot, StringComparison.Ordinal) &&
        !(topic.AsSpan(PrivateRoot.Length).StartsWith(clientId) &&
          (topic.Length == PrivateRoot.Length + clientId.Length || topic[PrivateRoot.Length + clientId.Length] == '/'));

    /// <summary>Null when allowed, else the reason.</summary>
    public string? CheckPublish(BrokerPrincipal who, string topic)
    {
        // A device reports; commands come from people, through the bus (a device that speaks MQTT gets them from the process).
        if (who.Role == Role.Device && IsCommand(topic)) return "a device may not send commands";
        if (who.Role == Role.Device)
            return who.TopicPrefixes.Any(p => topic.StartsWith(p, StringComparison.Ordinal))
                ? null
                : $"device may only publish below {string.Join(", ", who.TopicPrefixes)}";
        if (IsCommand(topic))
            return who.Role.MaySendCommands() ? null : $"role {who.Role.ToString().ToLowerInvariant()} may not send commands";
        if (who.Role == Role.Viewer) return "role viewer may not publish";
        var slash = topic.IndexOf('/');
        var root = slash < 0 ? topic : topic[..slash];
        return isDeviceRoot(root) ? $"topics below '{root}/' are published by TrackerDcs only" : null;
    }

    public static string? CheckSubscribe(BrokerPrincipal who, string clientId, string filter)
    {
        // Wildcards over private/ are allowed here; the delivery filter drops other clients' messages.
        var wildcardOwner = filter.StartsWith(PrivateRoot + "+", StringComparison.Ordinal) || filter == PrivateRoot + "#";
        if (!wildcardOwner && IsPrivateOfAnother(filter, clientId)) return "private topic of another client";
        if (who.Role == Role.Device && !who.TopicPrefixes.Any(p => filter.StartsWith(p, StringComparison.Ordinal)))
            return $"device may only subscribe below {string.Join(", ", who.TopicPrefixes)}";
        return null;
    }
}
