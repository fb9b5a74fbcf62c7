namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// What the client end of a circuit tells the layer above after taking in the server's messages
/// (<see cref="CaClientCircuitState.Receive"/>). Channels and subscriptions are named by their IDs;
/// the socket layer finds the objects behind them.
/// </summary>
internal abstract record CaClientCircuitEvent
{
    /// <summary>A SEARCH reply from a name server (EPICS_CA_NAME_SERVERS), read the same way as one by UDP.</summary>
    public sealed record SearchAnswered(CaMessage Reply) : CaClientCircuitEvent;

    /// <summary>ACCESS_RIGHTS for a channel: p2 bit 0 read, bit 1 write.</summary>
    public sealed record AccessRightsChanged(uint Cid, CaAccessRights Rights) : CaClientCircuitEvent;

    /// <summary>The CREATE_CHAN reply: the channel is connected with this native type and element count.</summary>
    public sealed record ChannelConnected(uint Cid, CaType NativeType, uint ElementCount) : CaClientCircuitEvent;

    /// <summary>CREATE_CH_FAIL or SERVER_DISCONN (<paramref name="Cause"/>): the channel is gone from this circuit.</summary>
    public sealed record ChannelLost(uint Cid, CaCommand Cause) : CaClientCircuitEvent;

    /// <summary>An EVENT_ADD reply carrying an update of one subscription.</summary>
    public sealed record MonitorUpdate(uint Cid, uint SubscriptionId, CaMessage Update) : CaClientCircuitEvent;
}

/// <summary>What one call into <see cref="CaClientCircuitState"/> produced: messages to send in this order, then events to raise.</summary>
internal sealed class CaClientCircuitOutput
{
    public List<CaMessage> Send { get; } = [];
    public List<CaClientCircuitEvent> Events { get; } = [];
}

/// <summary>What <see cref="CaClientCircuitState.Heartbeat"/> found.</summary>
internal enum CaHeartbeat
{
    /// <summary>The server was heard recently enough, or an echo is out and its time is not up.</summary>
    Alive,
    /// <summary>The circuit was silent for the connection timeout: send an ECHO now.</summary>
    SendEcho,
    /// <summary>The echo went unanswered for the echo timeout: the circuit is dead.</summary>
    Unresponsive,
}
