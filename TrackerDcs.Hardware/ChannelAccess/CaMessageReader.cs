namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// Turns a byte stream (a TCP circuit) or a datagram into CA messages, buffering partial frames.
/// No I/O: the transport appends what it received and takes out complete messages.
/// </summary>
public sealed class CaMessageReader(int maxPayload = CaMessageReader.DefaultMaxPayload)
{
    /// <summary>EPICS_CA_MAX_ARRAY_BYTES is 16384 by default; a larger limit keeps room for big waveforms.</summary>
    public const int DefaultMaxPayload = 16 * 1024 * 1024;
    /// <summary>Largest UDP datagram a search or beacon socket reads (an IPv4 datagram cannot be larger).</summary>
    public const int MaxDatagram = 65507;

    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    public int Buffered => _end - _start;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_end + data.Length > _buffer.Length)
        {
            var needed = Buffered + data.Length;
            if (needed > _buffer.Length)
            {
                var grown = new byte[Math.Max(needed, _buffer.Length * 2)];
                _buffer.AsSpan(_start, Buffered).CopyTo(grown);
                _buffer = grown;
            }
            else
            {
                _buffer.AsSpan(_start, Buffered).CopyTo(_buffer);
            }
            _end = Buffered;
            _start = 0;
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>Takes the next complete message out of the buffer; false when more bytes are needed.</summary>
    /// <exception cref="CaProtocolException">The header announces a payload above the limit.</exception>
    public bool TryRead(out CaMessage message)
    {
        message = null!;
        var available = _buffer.AsSpan(_start, Buffered);
        var headerLength = CaHeader.TryRead(available, out var header);
        if (headerLength == 0) return false;
        if (header.PayloadSize > maxPayload)
            throw new CaProtocolException($"{header.Command} announces {header.PayloadSize} payload bytes, above the {maxPayload} limit");
        var total = headerLength + (int)header.PayloadSize;
        if (available.Length < total) return false;
        message = new CaMessage(header, available[headerLength..total].ToArray());
        _start += total;
        if (_start == _end) _start = _end = 0;
        return true;
    }

    /// <summary>Splits one datagram into its messages (a UDP datagram holds whole messages only).</summary>
    public static List<CaMessage> ReadDatagram(ReadOnlySpan<byte> datagram)
    {
        var reader = new CaMessageReader();
        reader.Append(datagram);
        var messages = new List<CaMessage>();
        while (reader.TryRead(out var message)) messages.Add(message);
        return messages;
    }
}
