using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Commands;

/// <summary>
/// Where the command bus records every command and its answer (the audit log implements it). The audit
/// comes first: a command's row is written before it runs (<see cref="Begin"/>) and completed after.
/// </summary>
public interface ICommandAudit
{
    /// <summary>Writes the row of a command about to run; throws when it cannot (a full disk), and then the command must not run.</summary>
    long Begin(CommandRequest request);

    /// <summary>Completes a row <see cref="Begin"/> wrote with the command's result.</summary>
    void Complete(long id, CommandRequest request, CommandResult result);

    /// <summary>A command that never ran (unknown, not allowed, refused): its row, written once.</summary>
    void Record(CommandRequest request, CommandResult result);

    /// <summary>
    /// The record of a command that ran although its row could not be written (interlock actions, safety
    /// first): kept in a small preallocated journal and imported into the audit once the disk has room.
    /// </summary>
    void Journal(CommandRequest request, CommandResult result, DateTimeOffset time);
}
