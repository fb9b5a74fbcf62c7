using System.Buffers.Binary;

namespace TrackerDcs.Hardware.Modbus;

/// <summary>
/// Modbus TCP frames to bytes and back, without I/O. Section numbers refer to the Modbus Application Protocol
/// Specification V1.1b3 unless they name the Modbus Messaging on TCP/IP Implementation Guide V1.0b.
/// Encoding refuses what the specification does not allow (a caller's bug); decoding refuses what a peer must not
/// send, with a message that says what was wrong.
/// </summary>
public static class ModbusCodec
{
    /// <summary>Section 4.1: the PDU of a serial line ADU (256 bytes less address and CRC) is at most 253 bytes, on TCP too.</summary>
    public const int MaxPduSize = 253;

    /// <summary>TCP guide 3.1.2: MBAP header (7 bytes, the unit id included) + PDU, at most 260 bytes.</summary>
    public const int MaxAduSize = MbapHeader.Size + MaxPduSize;

    /// <summary>Section 6.3: a read asks for 1 to 125 (0x7D) registers.</summary>
    public const int MaxReadCount = 125;

    /// <summary>Section 6.12: a write carries 1 to 123 (0x7B) registers.</summary>
    public const int MaxWriteCount = 123;

    /// <summary>Section 7: an exception response carries the request's function code with this bit set.</summary>
    public const byte ExceptionFlag = 0x80;

    public static byte[] Encode(ModbusFrame frame)
    {
        var pdu = EncodePdu(frame.Pdu);
        var bytes = new byte[MbapHeader.Size + pdu.Length];
        new MbapHeader(frame.TransactionId, 0, (ushort)(pdu.Length + 1), frame.UnitId).WriteTo(bytes);
        pdu.CopyTo(bytes.AsSpan(MbapHeader.Size));
        return bytes;
    }

    private static byte[] EncodePdu(ModbusPdu pdu)
    {
        switch (pdu)
        {
            case ReadHoldingRegistersRequest r:
                CheckRange(r.Address, r.Count, MaxReadCount, "read");
                return Words((byte)r.Function, [r.Address, r.Count]);
            case ReadHoldingRegistersResponse r:
                CheckCount(r.Registers.Length, MaxReadCount, "read response");
                return WithByteCount((byte)r.Function, [], r.Registers);
            case WriteMultipleRegistersRequest w:
                CheckRange(w.Address, w.Values.Length, MaxWriteCount, "write");
                return WithByteCount((byte)w.Function, [w.Address, (ushort)w.Values.Length], w.Values);
            case WriteMultipleRegistersResponse w:
                CheckRange(w.Address, w.Count, MaxWriteCount, "write response");
                return Words((byte)w.Function, [w.Address, w.Count]);
            case ModbusExceptionResponse e:
                if ((byte)e.Function >= ExceptionFlag) throw new ArgumentException($"function code 0x{(byte)e.Function:X2} has the exception bit set already", nameof(pdu));
                return [(byte)((byte)e.Function | ExceptionFlag), (byte)e.Code];
            default:
                throw new ArgumentException($"no encoding for {pdu.GetType().Name}", nameof(pdu));
        }
    }

    private static void CheckCount(int count, int max, string what)
    {
        if (count < 1 || count > max) throw new ArgumentOutOfRangeException(nameof(count), count, $"a {what} carries 1 to {max} registers");
    }

    private static void CheckRange(ushort address, int count, int max, string what)
    {
        CheckCount(count, max, what);
        if (address + count > 0x10000) throw new ArgumentOutOfRangeException(nameof(address), address, $"a {what} of {count} registers from {address} runs past register 65535");
    }

    private static byte[] Words(byte function, ReadOnlySpan<ushort> words)
    {
        var bytes = new byte[1 + 2 * words.Length];
        bytes[0] = function;
        for (var i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1 + 2 * i), words[i]);
        return bytes;
    }

    /// <summary>Function, header words, a byte count, then the registers (the shape of 6.3's response and 6.12's request).</summary>
    private static byte[] WithByteCount(byte function, ReadOnlySpan<ushort> header, ReadOnlySpan<ushort> registers)
    {
        var head = Words(function, header);
        var bytes = new byte[head.Length + 1 + 2 * registers.Length];
        head.CopyTo(bytes, 0);
        bytes[head.Length] = (byte)(2 * registers.Length);
        WriteRegisters(registers, bytes.AsSpan(head.Length + 1));
        return bytes;
    }

    private static void WriteRegisters(ReadOnlySpan<ushort> registers, Span<byte> destination)
    {
        for (var i = 0; i < registers.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(destination[(2 * i)..], registers[i]);
    }

    private static ushort[] Registers(ReadOnlySpan<byte> bytes)
    {
        var registers = new ushort[bytes.Length / 2];
        for (var i = 0; i < registers.Length; i++) registers[i] = BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]);
        return registers;
    }

    private static ushort Word(ReadOnlySpan<byte> pdu, int offset) => BinaryPrimitives.ReadUInt16BigEndian(pdu[offset..]);

    /// <summary>
    /// A request as a server receives it. A request the server must refuse (section 7 and the state diagrams of
    /// 6.3 and 6.12: an unknown function, a quantity or byte count outside the limits, a range past 65535) throws
    /// <see cref="ModbusRequestException"/> with the exception code to answer.
    /// </summary>
    public static ModbusPdu DecodeRequest(MbapHeader header, ReadOnlySpan<byte> pdu)
    {
        var function = pdu[0];
        // Section 4.1: codes 128–255 are reserved for exception responses; a peer sending one as a request is not a Modbus client.
        if (function >= ExceptionFlag)
            throw new ModbusProtocolException($"function code 0x{function:X2} (transaction {header.TransactionId}) is an exception response's, not a request's");
        ModbusRequestException Refuse(ModbusExceptionCode code, string why) =>
            new(header, function, code, $"request 0x{function:X2} (transaction {header.TransactionId}) refused with {code.Name()}: {why}");

        switch ((ModbusFunction)function)
        {
            case ModbusFunction.ReadHoldingRegisters:
            {
                if (pdu.Length != 5) throw Refuse(ModbusExceptionCode.IllegalDataValue, $"a read request is 5 bytes, not {pdu.Length}");
                var (address, count) = (Word(pdu, 1), Word(pdu, 3));
                if (count is < 1 or > MaxReadCount) throw Refuse(ModbusExceptionCode.IllegalDataValue, $"a read asks for 1 to {MaxReadCount} registers, not {count}");
                if (address + count > 0x10000) throw Refuse(ModbusExceptionCode.IllegalDataAddress, $"{count} registers from {address} run past 65535");
                return new ReadHoldingRegistersRequest(address, count);
            }
            case ModbusFunction.WriteMultipleRegisters:
            {
                if (pdu.Length < 6) throw Refuse(ModbusExceptionCode.IllegalDataValue, $"a write request is at least 6 bytes, not {pdu.Length}");
                var (address, count, byteCount) = (Word(pdu, 1), Word(pdu, 3), pdu[5]);
                if (count is < 1 or > MaxWriteCount) throw Refuse(ModbusExceptionCode.IllegalDataValue, $"a write carries 1 to {MaxWriteCount} registers, not {count}");
                if (byteCount != 2 * count || pdu.Length != 6 + byteCount)
                    throw Refuse(ModbusExceptionCode.IllegalDataValue, $"{count} registers need a byte count of {2 * count} and {6 + 2 * count} PDU bytes; got {byteCount} and {pdu.Length}");
                if (address + count > 0x10000) throw Refuse(ModbusExceptionCode.IllegalDataAddress, $"{count} registers from {address} run past 65535");
                return new WriteMultipleRegistersRequest(address, Registers(pdu[6..]));
            }
            default:
                throw Refuse(ModbusExceptionCode.IllegalFunction, "this server implements functions 0x03 and 0x10 only");
        }
    }

    /// <summary>A response as a client receives it; anything that is not a well-formed 0x03, 0x10 or exception response throws <see cref="ModbusProtocolException"/>.</summary>
    public static ModbusPdu DecodeResponse(MbapHeader header, ReadOnlySpan<byte> pdu)
    {
        var (function, length) = (pdu[0], pdu.Length);
        ModbusProtocolException Malformed(string why) =>
            new($"malformed response 0x{function:X2} (transaction {header.TransactionId}, {length} PDU bytes): {why}");

        if (function >= ExceptionFlag)
        {
            if (pdu.Length != 2) throw Malformed("an exception response is 2 bytes (function | 0x80, exception code)");
            return new ModbusExceptionResponse((ModbusFunction)(function & ~ExceptionFlag), (ModbusExceptionCode)pdu[1]);
        }
        switch ((ModbusFunction)function)
        {
            case ModbusFunction.ReadHoldingRegisters:
            {
                if (pdu.Length < 2) throw Malformed("no byte count");
                var byteCount = pdu[1];
                if (byteCount == 0 || byteCount % 2 != 0 || byteCount > 2 * MaxReadCount)
                    throw Malformed($"byte count {byteCount} is not 2 × 1…{MaxReadCount} registers");
                if (pdu.Length != 2 + byteCount) throw Malformed($"byte count {byteCount} but {pdu.Length - 2} data bytes");
                return new ReadHoldingRegistersResponse(Registers(pdu[2..]));
            }
            case ModbusFunction.WriteMultipleRegisters:
            {
                if (pdu.Length != 5) throw Malformed("a write response is 5 bytes (function, address, quantity)");
                var count = Word(pdu, 3);
                if (count is < 1 or > MaxWriteCount) throw Malformed($"quantity {count} is not 1…{MaxWriteCount}");
                return new WriteMultipleRegistersResponse(Word(pdu, 1), count);
            }
            default:
                throw Malformed("not a function this client sends");
        }
    }
}
