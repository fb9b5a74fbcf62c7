using TrackerDcs.Web.Security;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Commands;

public delegate Task<CommandResult> CommandHandler(CommandRequest request, CancellationToken cancellationToken);

/// <summary>A command topic pattern (MQTT single-level wildcards <c>+</c> allowed) and what executes it.</summary>
public sealed class CommandRoute(string pattern, Role minimumRole, CommandHandler handler)
{
    private readonly string[] _levels = pattern.Split('/');

    public string Pattern { get; } = pattern;
    public Role MinimumRole { get; } = minimumRole;
    public CommandHandler Handler { get; } = handler;
    public string Device => _levels[0];

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
