namespace TrackerDcs.Web.Security;

/// <summary>An account of the panel and the broker. TopicPrefixes only matter for devices.</summary>
public sealed record UserAccount(string Name, Role Role, IReadOnlyList<string> TopicPrefixes, DateTimeOffset Created);
