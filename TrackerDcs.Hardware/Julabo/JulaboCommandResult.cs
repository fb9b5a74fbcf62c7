namespace TrackerDcs.Hardware.Julabo;

/// <summary>The answer to an operator command: done (or queued), or refused with the reason.</summary>
public sealed record JulaboCommandResult(bool Accepted, string Message)
{
    public static JulaboCommandResult Done(string message) => new(true, message);
    public static JulaboCommandResult Refused(string reason) => new(false, reason);
    public override string ToString() => Accepted ? Message : $"refused: {Message}";
}
