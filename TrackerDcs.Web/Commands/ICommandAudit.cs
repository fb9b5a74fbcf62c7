using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Commands;

/// <summary>Where the command bus records every command and its answer (the audit log implements it).</summary>
public interface ICommandAudit
{
    void Record(CommandRequest request, CommandResult result);
}
