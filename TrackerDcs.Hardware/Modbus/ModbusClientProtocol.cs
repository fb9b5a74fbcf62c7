namespace TrackerDcs.Hardware.Modbus;

/// <summary>
/// The client side of one Modbus TCP connection, without I/O: numbers requests, and pairs each response with
/// its request by transaction id (TCP guide 3.1.3: "used for transaction pairing, the MODBUS server copies in
/// the response the transaction identifier of the request"). One request is in flight at a time. A response
/// for another transaction, from another unit, for another function, or that does not fit the request (a
/// register count or a write echo that differs) is a protocol error: the connection must be closed, because
/// after that nothing on it can be trusted. For the same reason a request that timed out ends the connection
/// (the caller's job), so that its late answer is never read as the next request's.
/// </summary>
public sealed class ModbusClientProtocol(byte unitId, ushort firstTransactionId = 1)
{
    private readonly ModbusFrameReader _reader = new();
    private ushort _nextTransactionId = firstTransactionId;
    private ModbusFrame? _pending;

    public byte UnitId => unitId;

    /// <summary>The transaction id the next request will carry (a new connection continues the count, which helps reading captures).</summary>
    public ushort NextTransactionId => _nextTransactionId;

    public bool AwaitingResponse => _pending is not null;

    /// <summary>The bytes of a new request, which is now the one in flight.</summary>
    public byte[] Send(ModbusPdu request)
    {
        if (_pending is { } pending) throw new InvalidOperationException($"transaction {pending.TransactionId} is still in flight (one request at a time)");
        var frame = new ModbusFrame(_nextTransactionId, unitId, request);
        var bytes = ModbusCodec.Encode(frame);
        _nextTransactionId = unchecked((ushort)(_nextTransactionId + 1));
        _pending = frame;
        return bytes;
    }

    /// <summary>Feeds received bytes; returns the response to the request in flight once it is complete, else null.</summary>
    /// <exception cref="ModbusProtocolException">Bytes that are not the answer to the request in flight.</exception>
    public ModbusPdu? Receive(ReadOnlySpan<byte> data)
    {
        _reader.Append(data);
        if (!_reader.TryReadResponse(out var response)) return null;
        if (_pending is not { } request)
            throw new ModbusProtocolException($"a response (transaction {response.TransactionId}) arrived with no request in flight");
        if (response.TransactionId != request.TransactionId)
            throw new ModbusProtocolException($"a response to transaction {response.TransactionId} arrived while transaction {request.TransactionId} was in flight");
        if (response.UnitId != request.UnitId)
            throw new ModbusProtocolException($"transaction {request.TransactionId} was for unit {request.UnitId} but unit {response.UnitId} answered");
        if (response.Pdu.Function != request.Pdu.Function)
            throw new ModbusProtocolException($"transaction {request.TransactionId} was function 0x{(byte)request.Pdu.Function:X2} but the response is for 0x{(byte)response.Pdu.Function:X2}");
        Check(request, response.Pdu);
        if (_reader.Buffered > 0)
            throw new ModbusProtocolException($"{_reader.Buffered} more bytes arrived after the response to transaction {request.TransactionId}, with no request in flight");
        _pending = null;
        return response.Pdu;
    }

    private static void Check(ModbusFrame request, ModbusPdu response)
    {
        var problem = (request.Pdu, response) switch
        {
            (ReadHoldingRegistersRequest q, ReadHoldingRegistersResponse r) when r.Registers.Length != q.Count =>
                $"{q.Count} registers were asked for and {r.Registers.Length} came back",
            (WriteMultipleRegistersRequest q, WriteMultipleRegistersResponse r) when r.Address != q.Address || r.Count != q.Values.Length =>
                $"{q.Values.Length} registers were written from {q.Address} but the server confirms {r.Count} from {r.Address}",
            _ => null,
        };
        if (problem is not null) throw new ModbusProtocolException($"transaction {request.TransactionId}: {problem}");
    }
}
