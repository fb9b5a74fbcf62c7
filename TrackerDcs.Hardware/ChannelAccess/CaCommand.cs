namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// Command codes of the CA protocol v4.13 ("CA Protocol Specification", section "Commands").
/// The same code is used for a request and its response.
/// </summary>
public enum CaCommand : ushort
{
    /// <summary>CA_PROTO_VERSION: data type = priority, data count = minor protocol version.</summary>
    Version = 0,
    /// <summary>CA_PROTO_EVENT_ADD: create a subscription (p1 = SID, p2 = subscription ID); also each update.</summary>
    EventAdd = 1,
    /// <summary>CA_PROTO_EVENT_CANCEL: p1 = SID, p2 = subscription ID; answered by an empty EVENT_ADD.</summary>
    EventCancel = 2,
    /// <summary>CA_PROTO_WRITE: put without completion notification; failures come back as CA_PROTO_ERROR.</summary>
    Write = 4,
    /// <summary>CA_PROTO_SEARCH: request p1 = p2 = CID; reply data type = server TCP port, p1 = server address.</summary>
    Search = 6,
    /// <summary>CA_PROTO_EVENTS_OFF: flow control, the client cannot keep up; the server holds back subscription updates.</summary>
    EventsOff = 8,
    /// <summary>CA_PROTO_EVENTS_ON: the server resumes, sending the latest value of every subscription held back.</summary>
    EventsOn = 9,
    /// <summary>CA_PROTO_ERROR: payload is the offending request header followed by a message; p2 = ECA status.</summary>
    Error = 11,
    /// <summary>CA_PROTO_CLEAR_CHANNEL: p1 = SID, p2 = CID; the server answers with the same message.</summary>
    ClearChannel = 12,
    /// <summary>CA_PROTO_RSRV_IS_UP (beacon): data type = minor version, data count = port, p1 = beacon ID, p2 = address.</summary>
    RsrvIsUp = 13,
    /// <summary>CA_PROTO_NOT_FOUND: answer to a search with the DO_REPLY flag for a name the server does not host.</summary>
    NotFound = 14,
    /// <summary>CA_PROTO_READ_NOTIFY: p1 = SID (request) or ECA status (response), p2 = IOID.</summary>
    ReadNotify = 15,
    /// <summary>CA_PROTO_CREATE_CHAN: request p1 = CID, p2 = minor version; response type/count native, p1 = CID, p2 = SID.</summary>
    CreateChan = 18,
    /// <summary>CA_PROTO_WRITE_NOTIFY: put with completion; the response carries the ECA status in p1, IOID in p2.</summary>
    WriteNotify = 19,
    /// <summary>CA_PROTO_CLIENT_NAME: payload is the user name.</summary>
    ClientName = 20,
    /// <summary>CA_PROTO_HOST_NAME: payload is the client host name.</summary>
    HostName = 21,
    /// <summary>CA_PROTO_ACCESS_RIGHTS: p1 = CID, p2 = rights (bit 0 read, bit 1 write).</summary>
    AccessRights = 22,
    /// <summary>CA_PROTO_ECHO: heartbeat; the peer sends the same message back.</summary>
    Echo = 23,
    /// <summary>CA_PROTO_CREATE_CH_FAIL: p1 = CID of a channel the server cannot create.</summary>
    CreateChFail = 26,
    /// <summary>CA_PROTO_SERVER_DISCONN: p1 = CID of a channel the server has disconnected.</summary>
    ServerDisconn = 27,
}
