namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>Connection states of a channel, as ca_state() names them (cs_never_conn, cs_conn, cs_prev_conn, cs_closed).</summary>
public enum CaConnectionState { NeverConnected, Connected, Disconnected, Closed }
