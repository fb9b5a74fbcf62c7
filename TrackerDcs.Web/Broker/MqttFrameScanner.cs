using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Follows MQTT frame boundaries in a byte stream without buffering it, so an oversized packet is refused
/// from its fixed header, before its body is read into memory. It also reads the head of every PUBLISH (topic
/// name, packet identifier) as bytes, because what the specifications call a broken topic (ill-formed UTF-8)
/// is already repaired into U+FFFD once MQTTnet has decoded it. No I/O: bytes in, verdict out.
/// MQTT 3.1.1 §2.2.3 / MQTT 5 §1.5.5: the remaining length is a variable byte integer of at most 4 bytes.
/// </summary>
public sealed class MqttFrameScanner(int maxPacketSize)
{
    private enum State { FixedHeader, RemainingLength, Body }

    // MQTT 5 §2.4 reason codes of a DISCONNECT sent by the server.
    public const byte MalformedPacket = 0x81;
    public const byte ProtocolError = 0x82;
    public const byte TopicNameInvalid = 0x90;
    public const byte PacketTooLarge = 0x95;

    private State _state = State.FixedHeader;
    private int _lengthBytes;
    private long _remaining;
    private int _multiplier;
    private bool _connected;
    private byte _header;
    /// <summary>The first bytes of the current CONNECT or PUBLISH body, until they have been judged.</summary>
    private readonly List<byte> _head = [];
    private bool _inspecting;

    /// <summary>The whole CONNECT packet has arrived.</summary>
    public bool ConnectReceived { get; private set; }

    /// <summary>4 for MQTT 3.1.1, 5 for MQTT 5 (from the CONNECT), 0 before it is known.</summary>
    public int ProtocolLevel { get; private set; }

    /// <summary>After a violation: the MQTT 5 reason code that names it.</summary>
    public byte ReasonCode { get; private set; }

    /// <summary>Null while the stream is acceptable, else why it is not.</summary>
    public string? Feed(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            switch (_state)
            {
                case State.FixedHeader:
                    // [MQTT-3.1.0-1] The first packet of a connection must be CONNECT (type 1, flags 0).
                    if (!_connected && bytes[i] != 0x10) return Violation(ProtocolError, $"first packet is not CONNECT (0x{bytes[i]:X2})");
                    _connected = true;
                    _header = bytes[i];
                    _state = State.RemainingLength;
                    _remaining = 0;
                    _multiplier = 1;
                    _lengthBytes = 0;
                    i++;
                    break;
                case State.RemainingLength:
                    var b = bytes[i++];
                    _remaining += (b & 0x7F) * (long)_multiplier;
                    _multiplier *= 128;
                    if (++_lengthBytes > 4) return Violation(MalformedPacket, "malformed remaining length");
                    if ((b & 0x80) != 0) break;
                    var size = 1 + _lengthBytes + _remaining;
                    if (size > maxPacketSize) return Violation(PacketTooLarge, $"packet of {size} bytes exceeds Broker:MaxPacketSize ({maxPacketSize})");
                    _head.Clear();
                    _inspecting = (_header >> 4) is 1 or 3;
                    if (_remaining == 0)
                    {
                        if (_header >> 4 == 3) return Violation(ProtocolLevel == 5 ? ProtocolError : MalformedPacket, "PUBLISH without a topic");
                        _state = State.FixedHeader;
                    }
                    else _state = State.Body;
                    break;
                case State.Body:
                    var take = (int)Math.Min(_remaining, bytes.Length - i);
                    if (_inspecting && Inspect(bytes.Slice(i, take), _remaining == take) is { } reason) return reason;
                    i += take;
                    _remaining -= take;
                    if (_remaining != 0) break;
                    if (_header >> 4 == 1) ConnectReceived = true;
                    _state = State.FixedHeader;
                    break;
            }
        }
        return null;
    }

    private string Violation(byte reasonCode, string reason)
    {
        ReasonCode = reasonCode;
        return reason;
    }

    /// <summary>Collects the head of a CONNECT or PUBLISH body from this chunk; judges it once it is complete.</summary>
    private string? Inspect(ReadOnlySpan<byte> chunk, bool bodyEndsHere)
    {
        var offset = 0;
        while (_inspecting)
        {
            var needed = Needed();
            if (needed < 0) return Judge();
            if (offset == chunk.Length)
                return bodyEndsHere ? Violation(MalformedPacket, $"packet ends inside its {(_header >> 4 == 1 ? "CONNECT" : "PUBLISH")} header") : null;
            var n = Math.Min(needed - _head.Count, chunk.Length - offset);
            for (var k = 0; k < n; k++) _head.Add(chunk[offset + k]);
            offset += n;
        }
        return null;
    }

    /// <summary>How many head bytes are needed to judge the packet, or -1 when those present suffice.</summary>
    private int Needed()
    {
        if (_header >> 4 == 1)
        {
            // CONNECT: protocol name (2-byte length + bytes), then the protocol level byte (§3.1.2.1-2).
            if (_head.Count < 2) return 2;
            var level = 2 + (_head[0] << 8 | _head[1]);
            return _head.Count <= level ? level + 1 : -1;
        }
        if (_head.Count < 2) return 2;
        var topicEnd = 2 + (_head[0] << 8 | _head[1]);
        var qos = (_header >> 1) & 3;
        var idEnd = topicEnd + (qos > 0 ? 2 : 0);
        if (_head.Count < idEnd) return idEnd;
        // MQTT 5 with an empty topic: the properties decide (a topic alias makes it legal).
        if (ProtocolLevel != 5 || topicEnd != 2) return -1;
        var (length, lengthBytes) = VariableInteger(idEnd);
        if (lengthBytes == 0) return _head.Count + 1;
        var end = idEnd + lengthBytes + length;
        return _head.Count < end ? end : -1;
    }

    private string? Judge()
    {
        _inspecting = false;
        if (_header >> 4 == 1)
        {
            ProtocolLevel = _head[^1];
            return null;
        }
        var topicLength = _head[0] << 8 | _head[1];
        // Judged as bytes, for every PUBLISH: no copy and no string unless it is refused.
        var topic = CollectionsMarshal.AsSpan(_head).Slice(2, topicLength);
        var qos = (_header >> 1) & 3;
        var mqtt5 = ProtocolLevel == 5;
        // [MQTT-3.3.1-4] QoS 3 is malformed.
        if (qos == 3) return Violation(MalformedPacket, "PUBLISH with QoS 3");
        // [MQTT-2.2.1-3] a QoS 1 or 2 PUBLISH carries a non-zero packet identifier.
        if (qos > 0 && _head[2 + topicLength] == 0 && _head[3 + topicLength] == 0)
            return Violation(ProtocolError, $"QoS {qos} PUBLISH with packet identifier 0");
        if (topicLength == 0)
        {
            // 3.1.1 [MQTT-4.7.3-1]: a topic name is at least one character. MQTT 5 §3.3.2.3.4: it may be empty only with a topic alias.
            if (!mqtt5) return Violation(MalformedPacket, "PUBLISH with an empty topic");
            return HasTopicAlias(2 + (qos > 0 ? 2 : 0)) ? null : Violation(ProtocolError, "PUBLISH with an empty topic and no topic alias");
        }
        // [MQTT-1.5.3-1] / MQTT 5 [MQTT-1.5.4-1]: ill-formed UTF-8 makes the packet malformed.
        if (!Utf8.IsValid(topic)) return Violation(MalformedPacket, "PUBLISH topic is not valid UTF-8");
        // [MQTT-1.5.3-2] / [MQTT-1.5.4-2]: U+0000 is not allowed in a UTF-8 string.
        if (topic.Contains((byte)0)) return Violation(MalformedPacket, "PUBLISH topic contains U+0000");
        // [MQTT-3.3.2-2]: a topic name has no wildcards. In UTF-8 the bytes of '+' and '#' stand only for themselves.
        if (topic.IndexOfAny((byte)'+', (byte)'#') >= 0)
            return Violation(TopicNameInvalid, $"PUBLISH to the wildcard topic '{LogText.Escape(Encoding.UTF8.GetString(topic))}'");
        return null;
    }

    private (int Value, int Bytes) VariableInteger(int at)
    {
        int value = 0, multiplier = 1;
        for (var k = 0; k < 4 && at + k < _head.Count; k++)
        {
            value += (_head[at + k] & 0x7F) * multiplier;
            if ((_head[at + k] & 0x80) == 0) return (value, k + 1);
            multiplier *= 128;
        }
        return (0, 0);
    }

    /// <summary>Walks the PUBLISH properties (MQTT 5 §3.3.2.3) for a Topic Alias (0x23).</summary>
    private bool HasTopicAlias(int at)
    {
        var (length, lengthBytes) = VariableInteger(at);
        var p = at + lengthBytes;
        var end = p + length;
        while (p < end)
        {
            var id = _head[p++];
            int Two(int q) => q + 1 < _head.Count ? _head[q] << 8 | _head[q + 1] : 0;
            switch (id)
            {
                case 0x23: return true;
                case 0x01: p += 1; break;                  // payload format indicator
                case 0x02: p += 4; break;                  // message expiry interval
                case 0x03 or 0x08 or 0x09: p += 2 + Two(p); break; // content type, response topic, correlation data
                case 0x0B: p += Math.Max(1, VariableInteger(p).Bytes); break; // subscription identifier
                case 0x26: p += 2 + Two(p); p += 2 + Two(p); break; // user property
                default: return false;
            }
        }
        return false;
    }
}
