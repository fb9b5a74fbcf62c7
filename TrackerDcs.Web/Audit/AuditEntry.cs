namespace TrackerDcs.Web.Audit;

/// <summary>One line of the command log.</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset Time,
    string User,
    string ClientId,
    string Origin,
    string Topic,
    string Payload,
    bool Ok,
    string Result);
