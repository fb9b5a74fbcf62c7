using TrackerDcs.Web.Common;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Broker;

/// <summary>What one account may keep in the broker and ask of it (section "Broker:Quotas:&lt;Role&gt;").</summary>
public sealed class AccountQuota
{
    /// <summary>Largest payload the account may retain; a larger retained publish is refused its retention.</summary>
    public int MaxRetainedMessageBytes { get; set; }
    /// <summary>Retained messages the account may hold at once (a topic counts for the account that last retained it).</summary>
    public int MaxRetainedMessages { get; set; }
    /// <summary>Topic filters one connection of the account may be subscribed to at once.</summary>
    public int MaxSubscriptions { get; set; }
    /// <summary>
    /// Messages one client of the account may have queued (waiting to be sent, or kept while a persistent session's
    /// client is away); beyond it new messages are not queued for that client. <see cref="BrokerOptions.MaxPendingMessagesPerClient"/>
    /// bounds every client as well.
    /// </summary>
    public int MaxPendingMessages { get; set; }

    public IEnumerable<SettingsProblem> Problems(string key)
    {
        if (MaxRetainedMessageBytes < 0) yield return new($"{key}:MaxRetainedMessageBytes", $"{MaxRetainedMessageBytes} must be 0 (no retained messages) or more");
        if (MaxRetainedMessages < 0) yield return new($"{key}:MaxRetainedMessages", $"{MaxRetainedMessages} must be 0 (no retained messages) or more");
        if (MaxSubscriptions < 1) yield return new($"{key}:MaxSubscriptions", $"{MaxSubscriptions} must be positive");
        if (MaxPendingMessages < 1) yield return new($"{key}:MaxPendingMessages", $"{MaxPendingMessages} must be positive");
    }
}

/// <summary>
/// Quotas per role. The defaults suit what each role is for: a device account or anonymous sensor box retains its
/// few status topics of a few hundred bytes and is sent only its commands; people retain little; the admin (and
/// scripts run as admin) most.
/// </summary>
public sealed class BrokerQuotas
{
    public AccountQuota Device { get; set; } = new() { MaxRetainedMessageBytes = 8 * 1024, MaxRetainedMessages = 300, MaxSubscriptions = 50, MaxPendingMessages = 1000 };
    public AccountQuota Viewer { get; set; } = new() { MaxRetainedMessageBytes = 8 * 1024, MaxRetainedMessages = 100, MaxSubscriptions = 200, MaxPendingMessages = 10_000 };
    public AccountQuota Operator { get; set; } = new() { MaxRetainedMessageBytes = 64 * 1024, MaxRetainedMessages = 1000, MaxSubscriptions = 500, MaxPendingMessages = 10_000 };
    public AccountQuota Admin { get; set; } = new() { MaxRetainedMessageBytes = 1024 * 1024, MaxRetainedMessages = 10_000, MaxSubscriptions = 1000, MaxPendingMessages = 100_000 };

    public AccountQuota For(Role role) => role switch
    {
        Role.Device => Device,
        Role.Viewer => Viewer,
        Role.Operator => Operator,
        _ => Admin,
    };

    public IEnumerable<SettingsProblem> Problems() =>
        Device.Problems("Broker:Quotas:Device")
            .Concat(Viewer.Problems("Broker:Quotas:Viewer"))
            .Concat(Operator.Problems("Broker:Quotas:Operator"))
            .Concat(Admin.Problems("Broker:Quotas:Admin"));
}
