using System.Buffers.Binary;
using System.Text;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// One CA message: header and payload. The factory methods build each message the way the CA protocol
/// specification lays it out; payloads are padded with zeros to a multiple of 8 bytes ("Payload" section).
/// </summary>
public sealed record CaMessage(CaHeader Header, byte[] Payload)
{
    /// <summary>CA_MINOR_PROTOCOL_REVISION spoken by this implementation (v4.13).</summary>
    public const ushort MinorVersion = 13;
    /// <summary>SEARCH data type flag: DO_REPLY asks for NOT_FOUND when the name is unknown, DONT_REPLY does not.</summary>
    public const ushort DoReply = 10, DontReply = 5;
    /// <summary>Search reply parameter 1 meaning "use the address the reply came from" (v4.8 and later).</summary>
    public const uint SenderAddress = 0xFFFFFFFF;
    public const int MaxStringSize = 40;

    public CaCommand Command => Header.Command;
    public int EncodedLength => Header.EncodedSize + Payload.Length;

    public int WriteTo(Span<byte> destination)
    {
        Header.WriteTo(destination);
        Payload.CopyTo(destination[Header.EncodedSize..]);
        return EncodedLength;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[EncodedLength];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>The payload read as a NUL-terminated string (channel, client and host names).</summary>
    public string PayloadString
    {
        get
        {
            var end = Array.IndexOf(Payload, (byte)0);
            return Encoding.UTF8.GetString(Payload, 0, end < 0 ? Payload.Length : end);
        }
    }

    /// <summary>EVENT_ADD request payload: three unused floats (low, high, to) then the u16 mask.</summary>
    public CaEventMask EventMask => Payload.Length >= 14
        ? (CaEventMask)BinaryPrimitives.ReadUInt16BigEndian(Payload.AsSpan(12))
        : CaEventMask.None;

    /// <summary>CA_PROTO_ERROR payload: the header of the request that failed.</summary>
    public CaHeader ErrorRequest
    {
        get
        {
            CaHeader.TryRead(Payload, out var request);
            return request;
        }
    }

    /// <summary>CA_PROTO_ERROR payload: the message text after the failed request's header.</summary>
    public string ErrorText
    {
        get
        {
            var offset = CaHeader.TryRead(Payload, out _);
            var rest = Payload.AsSpan(offset);
            var end = rest.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]);
        }
    }

    public override string ToString() =>
        $"{Command} type {Header.DataType} count {Header.DataCount} p1 {Header.Parameter1} p2 {Header.Parameter2}, {Payload.Length} payload bytes";

    public static int Padded(int size) => (size + 7) & ~7;

    private static CaMessage Of(CaCommand command, ushort type = 0, uint count = 0, uint p1 = 0, uint p2 = 0, byte[]? payload = null) =>
        new(new CaHeader(command, (uint)(payload?.Length ?? 0), type, count, p1, p2), payload ?? []);

    private static byte[] StringPayload(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var payload = new byte[Padded(bytes.Length + 1)];
        bytes.CopyTo(payload, 0);
        return payload;
    }

    public static CaMessage Version(ushort priority = 0) => Of(CaCommand.Version, priority, MinorVersion);

    public static CaMessage Search(string name, uint cid, bool replyIfNotFound = false) =>
        Of(CaCommand.Search, replyIfNotFound ? DoReply : DontReply, MinorVersion, cid, cid, StringPayload(name));

    /// <summary>Search reply: data type = TCP port, p1 = server address, p2 = CID; payload = server minor version.</summary>
    public static CaMessage SearchReply(ushort tcpPort, uint serverAddress, uint cid)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(payload, MinorVersion);
        return Of(CaCommand.Search, tcpPort, 0, serverAddress, cid, payload);
    }

    public static CaMessage NotFound(uint cid) => Of(CaCommand.NotFound, DoReply, MinorVersion, cid, cid);

    public static CaMessage CreateChannel(string name, uint cid) =>
        Of(CaCommand.CreateChan, 0, 0, cid, MinorVersion, StringPayload(name));

    public static CaMessage CreateChannelReply(CaType nativeType, uint nativeCount, uint cid, uint sid) =>
        Of(CaCommand.CreateChan, (ushort)nativeType, nativeCount, cid, sid);

    public static CaMessage CreateChannelFailed(uint cid) => Of(CaCommand.CreateChFail, p1: cid);

    public static CaMessage AccessRights(uint cid, CaAccessRights rights) =>
        Of(CaCommand.AccessRights, p1: cid, p2: (uint)rights);

    public static CaMessage ReadNotify(ushort dbrType, uint count, uint sid, uint ioid) =>
        Of(CaCommand.ReadNotify, dbrType, count, sid, ioid);

    public static CaMessage ReadNotifyReply(ushort dbrType, uint count, uint status, uint ioid, byte[] payload) =>
        Of(CaCommand.ReadNotify, dbrType, count, status, ioid, payload);

    public static CaMessage Write(ushort dbrType, uint count, uint sid, uint ioid, byte[] payload) =>
        Of(CaCommand.Write, dbrType, count, sid, ioid, payload);

    public static CaMessage WriteNotify(ushort dbrType, uint count, uint sid, uint ioid, byte[] payload) =>
        Of(CaCommand.WriteNotify, dbrType, count, sid, ioid, payload);

    public static CaMessage WriteNotifyReply(ushort dbrType, uint count, uint status, uint ioid) =>
        Of(CaCommand.WriteNotify, dbrType, count, status, ioid);

    public static CaMessage EventAdd(ushort dbrType, uint count, uint sid, uint subscriptionId, CaEventMask mask)
    {
        var payload = new byte[16];
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(12), (ushort)mask);
        return Of(CaCommand.EventAdd, dbrType, count, sid, subscriptionId, payload);
    }

    public static CaMessage EventAddReply(ushort dbrType, uint count, uint status, uint subscriptionId, byte[] payload) =>
        Of(CaCommand.EventAdd, dbrType, count, status, subscriptionId, payload);

    public static CaMessage EventCancel(ushort dbrType, uint count, uint sid, uint subscriptionId) =>
        Of(CaCommand.EventCancel, dbrType, count, sid, subscriptionId);

    /// <summary>The answer to EVENT_CANCEL: an EVENT_ADD with no payload (p1 = SID, p2 = subscription ID).</summary>
    public static CaMessage EventCancelReply(ushort dbrType, uint count, uint sid, uint subscriptionId) =>
        Of(CaCommand.EventAdd, dbrType, count, sid, subscriptionId);

    public static CaMessage ClearChannel(uint sid, uint cid) => Of(CaCommand.ClearChannel, p1: sid, p2: cid);

    public static CaMessage ClientName(string user) => Of(CaCommand.ClientName, payload: StringPayload(user));

    public static CaMessage HostName(string host) => Of(CaCommand.HostName, payload: StringPayload(host));

    public static CaMessage Echo() => Of(CaCommand.Echo);

    public static CaMessage EventsOff() => Of(CaCommand.EventsOff);

    public static CaMessage EventsOn() => Of(CaCommand.EventsOn);

    public static CaMessage Beacon(ushort tcpPort, uint beaconId, uint serverAddress) =>
        Of(CaCommand.RsrvIsUp, MinorVersion, tcpPort, beaconId, serverAddress);

    public static CaMessage ServerDisconnect(uint cid) => Of(CaCommand.ServerDisconn, p1: cid);

    /// <summary>CA_PROTO_ERROR: p1 = CID of the channel, p2 = ECA status; payload = failed request header + text.</summary>
    public static CaMessage Error(CaHeader request, uint cid, uint status, string text)
    {
        var textBytes = Encoding.UTF8.GetBytes(text);
        var payload = new byte[Padded(request.EncodedSize + textBytes.Length + 1)];
        request.WriteTo(payload);
        textBytes.CopyTo(payload, request.EncodedSize);
        return Of(CaCommand.Error, 0, 0, cid, status, payload);
    }
}
