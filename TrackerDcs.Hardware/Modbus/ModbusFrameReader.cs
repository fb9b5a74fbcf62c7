namespace TrackerDcs.Hardware.Modbus;

/// <summary>
/// Cuts a TCP byte stream into Modbus TCP frames, buffering partial ones, without I/O: the transport appends
/// what it received and takes out complete frames. TCP carries no frame boundaries, so the MBAP length field
/// (TCP guide 3.1.3) is what delimits an ADU; a header that cannot be a Modbus header (protocol id other than 0,
/// a length that leaves no function code or exceeds the 260-byte ADU) means the stream is out of step, and
/// <see cref="ModbusProtocolException"/> tells the caller to close the connection.
/// </summary>
public sealed class ModbusFrameReader
{
    private byte[] _buffer = new byte[2 * ModbusCodec.MaxAduSize];
    private int _length;

    /// <summary>Bytes received and not yet taken out as a frame.</summary>
    public int Buffered => _length;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > _buffer.Length) Array.Resize(ref _buffer, Math.Max(2 * _buffer.Length, _length + data.Length));
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    /// <summary>The next complete request (server side); false when more bytes are needed.</summary>
    /// <exception cref="ModbusProtocolException">The stream is not Modbus TCP.</exception>
    /// <exception cref="ModbusRequestException">A complete request to be answered with an exception response; it was consumed.</exception>
    public bool TryReadRequest(out ModbusFrame frame) => TryRead(ModbusCodec.DecodeRequest, out frame);

    /// <summary>The next complete response (client side); false when more bytes are needed.</summary>
    /// <exception cref="ModbusProtocolException">The stream is not Modbus TCP, or the response is malformed.</exception>
    public bool TryReadResponse(out ModbusFrame frame) => TryRead(ModbusCodec.DecodeResponse, out frame);

    private delegate ModbusPdu Decoder(MbapHeader header, ReadOnlySpan<byte> pdu);

    private bool TryRead(Decoder decode, out ModbusFrame frame)
    {
        frame = default;
        if (_length < MbapHeader.Size) return false;
        var header = MbapHeader.Read(_buffer);
        if (header.ProtocolId != 0)
            throw new ModbusProtocolException($"MBAP protocol identifier 0x{header.ProtocolId:X4}, not 0 (Modbus), in transaction {header.TransactionId}: the peer does not speak Modbus TCP or the stream is out of step");
        if (header.PduLength is < 1 or > ModbusCodec.MaxPduSize)
            throw new ModbusProtocolException($"MBAP length {header.Length} in transaction {header.TransactionId}: it counts the unit id and a PDU of 1 to {ModbusCodec.MaxPduSize} bytes, so 2 to {ModbusCodec.MaxPduSize + 1}");
        var total = MbapHeader.Size + header.PduLength;
        if (_length < total) return false;
        try
        {
            frame = new ModbusFrame(header.TransactionId, header.UnitId, decode(header, _buffer.AsSpan(MbapHeader.Size, header.PduLength)));
        }
        finally
        {
            // Consumed whether or not it decoded: the length delimits it, so the next frame starts after it either way.
            _buffer.AsSpan(total, _length - total).CopyTo(_buffer);
            _length -= total;
        }
        return true;
    }
}
