namespace TrackerDcs.Web.Broker;

/// <summary>
/// Follows MQTT frame boundaries in a byte stream without buffering it, so an oversized packet is refused
/// from its fixed header, before its body is read into memory. No I/O: bytes in, verdict out.
/// MQTT 3.1.1 §2.2.3 / MQTT 5 §1.5.5: the remaining length is a variable byte integer of at most 4 bytes.
/// </summary>
public sealed class MqttFrameScanner(int maxPacketSize)
{
    private enum State { FixedHeader, RemainingLength, Body }

    private State _state = State.FixedHeader;
    private int _lengthBytes;
    private long _remaining;
    private int _multiplier;
    private bool _connected;

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
                    if (!_connected && bytes[i] != 0x10) return $"first packet is not CONNECT (0x{bytes[i]:X2})";
                    _connected = true;
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
                    if (++_lengthBytes > 4) return "malformed remaining length";
                    if ((b & 0x80) != 0) break;
                    var size = 1 + _lengthBytes + _remaining;
                    if (size > maxPacketSize) return $"packet of {size} bytes exceeds Broker:MaxPacketSize ({maxPacketSize})";
                    _state = _remaining == 0 ? State.FixedHeader : State.Body;
                    break;
                case State.Body:
                    var take = (int)Math.Min(_remaining, bytes.Length - i);
                    i += take;
                    _remaining -= take;
                    if (_remaining == 0) _state = State.FixedHeader;
                    break;
            }
        }
        return null;
    }
}
