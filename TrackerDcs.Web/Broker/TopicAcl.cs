using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// The broker's topic rules, without I/O:
/// everybody authenticated reads everything except other users' <c>private/&lt;user&gt;/</c> topics
/// (an inbox: others may write there, only its owner reads); only operators and admins publish to
/// <c>+/cmd/#</c> (viewers too, the commands that only read); below a device root (dcs, julabo, …) only the process publishes, apart from the commands;
/// device accounts publish only below their prefixes, and no commands. Replies to MQTT 5 requests go to the requester's
/// response topic only where the requester could have published them itself (<see cref="CheckResponseTopic"/>).
/// </summary>
/// <param name="viewerMaySend">The command topics that only read (ph2acf/cmd/conditions): a viewer may publish them.</param>
public sealed class TopicAcl(Func<ReadOnlySpan<char>, bool> isDeviceRoot, Func<string, bool>? viewerMaySend = null)
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

    /// <summary>Whether the topic (or filter) lies in the inbox of a user other than <paramref name="user"/>.</summary>
    public static bool IsPrivateOfAnother(string topic, string user) =>
        topic.StartsWith(PrivateRoot, StringComparison.Ordinal) && !IsOwnPrivate(topic, user);

    private static bool IsOwnPrivate(string topic, string user) =>
        topic.StartsWith(PrivateRoot, StringComparison.Ordinal) &&
        topic.AsSpan(PrivateRoot.Length).StartsWith(user) &&
        (topic.Length == PrivateRoot.Length + user.Length || topic[PrivateRoot.Length + user.Length] == '/');

    /// <summary>Null when allowed, else the reason.</summary>
    public string? CheckPublish(BrokerPrincipal who, string topic)
    {
        // A device reports; commands come from people, through the bus (a device that speaks MQTT gets them from the process).
        if (who.Role == Role.Device && IsCommand(topic)) return "a device may not send commands";
        if (who.Role == Role.Device)
            return StartsWithAny(topic, who.TopicPrefixes)
                ? null
                : $"device may only publish below {string.Join(", ", who.TopicPrefixes)}";
        if (IsCommand(topic))
            return who.Role.MaySendCommands() || (who.Role == Role.Viewer && viewerMaySend?.Invoke(topic) == true)
                ? null : $"role {who.Role.ToString().ToLowerInvariant()} may not send commands";
        if (who.Role == Role.Viewer) return "role viewer may not publish";
        var root = Root(topic);
        return isDeviceRoot(root) ? $"topics below '{root}/' are published by TrackerDcs only" : null;
    }

    public static string? CheckSubscribe(BrokerPrincipal who, string filter)
    {
        // Wildcards over private/ are allowed here; the delivery filter drops other users' messages.
        var wildcardOwner = filter.StartsWith(PrivateRoot + "+", StringComparison.Ordinal) || filter == PrivateRoot + "#";
        if (!wildcardOwner && IsPrivateOfAnother(filter, who.User)) return "private topic of another user";
        if (who.Role == Role.Device && !who.TopicPrefixes.Any(p => filter.StartsWith(p, StringComparison.Ordinal)))
            return $"device may only subscribe below {string.Join(", ", who.TopicPrefixes)}";
        return null;
    }

    /// <summary>
    /// Whether the process may answer a command on the requester's MQTT 5 response topic (§3.3.2.3.5): null when
    /// it may, else why not. The process publishes with every right, so the reply must not lend any: it goes only
    /// to the requester's own inbox or to a topic the requester could both read and publish itself, never below a
    /// device root (status, retained state), to a command topic or a '$' topic. A wildcard is invalid in a
    /// response topic anyway [MQTT-3.3.2-14].
    /// </summary>
    public string? CheckResponseTopic(BrokerPrincipal who, string topic)
    {
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0) return "a response topic may not contain wildcards";
        if (topic.StartsWith('$')) return "topics starting with '$' belong to the broker";
        if (IsCommand(topic)) return "command topics (+/cmd/#) are not reply topics";
        var root = Root(topic);
        if (isDeviceRoot(root)) return $"topics below '{root}/' are published by TrackerDcs only";
        if (IsOwnPrivate(topic, who.User)) return null;
        return CheckSubscribe(who, topic) ?? CheckPublish(who, topic);
    }

    // A loop, not Any with a lambda: the lambda's closure over the topic was allocated on every publish checked.
    private static bool StartsWithAny(string topic, IReadOnlyList<string> prefixes)
    {
        for (var i = 0; i < prefixes.Count; i++)
            if (topic.StartsWith(prefixes[i], StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The first level, as a view into the topic: checked on every publish, copied only into a refusal.</summary>
    private static ReadOnlySpan<char> Root(string topic)
    {
        var slash = topic.IndexOf('/');
        return slash < 0 ? topic : topic.AsSpan(0, slash);
    }
}
