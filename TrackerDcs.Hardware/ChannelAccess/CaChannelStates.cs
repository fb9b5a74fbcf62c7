using static TrackerDcs.Hardware.ChannelAccess.CaConnectionState;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>What happens to a client channel: a CREATE_CHAN reply, a lost circuit or SERVER_DISCONN or CREATE_CH_FAIL, the application closing it.</summary>
internal enum CaChannelEvent { Created, Lost, Closed }

/// <summary>
/// The client channel's connection states (ca_state: cs_never_conn, cs_conn, cs_prev_conn, cs_closed)
/// as a table: state × event → next state. Closed absorbs everything, since replies for a channel the
/// application closed may still be in flight; any other pair missing from the table is the server's fault.
/// </summary>
internal static class CaChannelStates
{
    private static readonly Dictionary<(CaConnectionState, CaChannelEvent), CaConnectionState> Next = new()
    {
        [(NeverConnected, CaChannelEvent.Created)] = Connected,
        [(NeverConnected, CaChannelEvent.Lost)] = NeverConnected,
        [(NeverConnected, CaChannelEvent.Closed)] = Closed,
        [(Connected, CaChannelEvent.Lost)] = Disconnected,
        [(Connected, CaChannelEvent.Closed)] = Closed,
        [(Disconnected, CaChannelEvent.Created)] = Connected,
        [(Disconnected, CaChannelEvent.Lost)] = Disconnected,
        [(Disconnected, CaChannelEvent.Closed)] = Closed,
    };

    /// <returns>The next state, or null when the event is ignored in <paramref name="state"/>.</returns>
    /// <exception cref="CaProtocolException">The server sent something it must not in this state.</exception>
    public static CaConnectionState? Apply(CaConnectionState state, CaChannelEvent e, string channel)
    {
        if (state == Closed) return null;
        return Next.TryGetValue((state, e), out var next)
            ? next
            : throw new CaProtocolException($"server fault: {e} for {channel} while {state}");
    }
}
