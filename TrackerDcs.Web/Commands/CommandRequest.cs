using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Commands;

/// <summary>
/// Where a command came from: an MQTT client, the panel, the process's own logic (interlocks), a procedure's
/// step on behalf of its operator (which the interlocks refuse like the operator's own commands), or the site's
/// operator through the site uplink (answered by the uplink on the site's bus, not on the stand's).
/// </summary>
public enum CommandOrigin { Mqtt, Panel, Internal, Procedure, Site }

/// <summary>
/// One device command, whatever its path: the MQTT topic names it (<c>&lt;device&gt;/cmd/…</c>), the payload is
/// the topic's payload. ResponseTopic and CorrelationData are MQTT 5's request/response properties.
/// </summary>
public sealed record CommandRequest(
    string Topic,
    string Payload,
    string User,
    Role Role,
    CommandOrigin Origin,
    string ClientId,
    string? ResponseTopic = null,
    byte[]? CorrelationData = null)
{
    /// <summary>
    /// A step that brings the stand to a safe state (a procedure's on_abort): like an interlock's action it runs when
    /// its audit row cannot be written, and the row goes to the journal. Any other command is refused then.
    /// </summary>
    public bool Protective { get; init; }

    /// <summary>The first topic level: the device (dcs, julabo, ph2acf, alarms).</summary>
    public string Device => Topic.Split('/', 2)[0];
}
