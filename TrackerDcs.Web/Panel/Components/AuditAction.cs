namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// An audit entry's command as the panel's buttons name it ("HV on", "LV set V of channel 3"), so the log is searched
/// by what the operator did; other commands by their topic after <c>cmd/</c> ("clear", "julabo start" reads "start").
/// </summary>
public static class AuditAction
{
    public static string Describe(string topic, string payload)
    {
        var at = topic.IndexOf("/cmd/", StringComparison.Ordinal);
        var command = at >= 0 ? topic[(at + 5)..] : topic;
        return command.Split('/') switch
        {
            ["switch", var supply] when payload.Trim() is "on" or "off" => $"{supply.ToUpperInvariant()} {payload.Trim()}",
            ["setv", var supply, var channel] => $"{supply.ToUpperInvariant()} set V of channel {channel}",
            ["setramp", var supply, var channel] => $"{supply.ToUpperInvariant()} ramp rate of channel {channel}",
            _ => command.Replace('/', ' '),
        };
    }
}
