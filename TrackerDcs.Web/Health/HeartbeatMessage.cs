using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Common;
using System.Text.Json.Nodes;

namespace TrackerDcs.Web.Health;

/// <summary>The payload of dcs/heartbeat, the same on the embedded broker and on the external watchdog broker.</summary>
public static class HeartbeatMessage
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    /// <summary>dcs/heartbeat: under the crate's topic root (channels.yml's name), as the seed's watchers expect.</summary>
    public static string Topic(ChannelMap map) => $"{map.Name}/heartbeat";

    public static string Online(DateTimeOffset now) => Build("online", now, reason: null);

    /// <summary>Without a time when it is a last will: the broker sends it later, at the moment the process is gone.</summary>
    public static string Offline(DateTimeOffset? now, string reason) => Build("offline", now, reason);

    private static string Build(string state, DateTimeOffset? now, string? reason)
    {
        var beat = new JsonObject { ["state"] = state };
        if (now is { } time) beat["time"] = time.ToString("O");
        beat["period_s"] = Period.TotalSeconds;
        if (reason is not null) beat["reason"] = reason;
        return beat.ToJsonString(Json.Options);
    }
}
