using TrackerDcs.Web.Security;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Commands;

public delegate Task<CommandResult> CommandHandler(CommandRequest request, CancellationToken cancellationToken);

/// <summary>
/// A command topic pattern (MQTT single-level wildcards <c>+</c> allowed) and what executes it.
/// <paramref name="isQuery"/> names the payloads that only read (STATUS?): they are answered but not audited, so a
/// client that polls once a second does not fill the audit log. A <paramref name="forwarded"/> route's publishes are
/// held back by the broker: its handler passes them on to the device after the checks (a device that speaks MQTT).
/// </summary>
public sealed class CommandRoute(string pattern, Role minimumRole, CommandHandler handler, Func<string, bool>? isQuery = null, bool forwarded = false)
{
    private readonly string[] _levels = pattern.Split('/');

    public string Pattern { get; } = pattern;
    public Role MinimumRole { get; } = minimumRole;
    public CommandHandler Handler { get; } = handler;
    public string Device => _levels[0];
    public bool Forwarded { get; } = forwarded;

    /// <summary>Whether this payload only reads: answered, not audited.</summary>
    public bool IsQuery(string payload) => isQuery?.Invoke(payload) == true;

    public bool Matches(string topic)
    {
        var levels = topic.Split('/');
        if (levels.Length != _levels.Length) return false;
        for (var i = 0; i < levels.Length; i++)
            if (_levels[i] != "+" && _levels[i] != levels[i]) return false;
        return true;
    }

    /// <summary>The value of the n-th <c>+</c> of the pattern in a matching topic (e.g. a channel id).</summary>
    public static string Level(string topic, int index) => topic.Split('/')[index];
}
