using System.Collections;

namespace TrackerDcs.Web.Broker;

/// <summary>Things done once per MQTT session (a quota refusal is logged once per client, not once per message).</summary>
public static class SessionOnce
{
    /// <summary>True the first time for this key in these session items, false after.</summary>
    public static bool First(IDictionary sessionItems, string key)
    {
        lock (sessionItems)
        {
            if (sessionItems.Contains(key)) return false;
            sessionItems[key] = true;
            return true;
        }
    }
}
