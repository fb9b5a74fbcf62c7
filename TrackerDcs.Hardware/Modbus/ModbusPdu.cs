namespace TrackerDcs.Hardware.Modbus;

/// <summary>
/// A Modbus PDU, the function code and its data (Modbus Application Protocol Specification V1.1b3, 4.1
/// "Protocol description"), decoded. Requests and responses of one function share the code but not the shape,
/// so which one a PDU is depends on who reads it: <see cref="ModbusCodec.DecodeRequest"/> or
/// <see cref="ModbusCodec.DecodeResponse"/>. Register values are the 16-bit words as the wire carries them
/// (big-endian bytes inside each register, section 4.2 "Data Encoding").
/// </summary>
public abstract record ModbusPdu
{
    public abstract ModbusFunction Function { get; }
}

/// <summary>Section 6.3: read <see cref="Count"/> (1–125) holding registers from <see cref="Address"/> (0-based).</summary>
public sealed record ReadHoldingRegistersRequest(ushort Address, ushort Count) : ModbusPdu
{
    public override ModbusFunction Function => ModbusFunction.ReadHoldingRegisters;
}

/// <summary>Section 6.3: the registers read, in address order.</summary>
public sealed record ReadHoldingRegistersResponse(ushort[] Registers) : ModbusPdu
{
    public override ModbusFunction Function => ModbusFunction.ReadHoldingRegisters;

    public bool Equals(ReadHoldingRegistersResponse? other) => other is not null && Registers.AsSpan().SequenceEqual(other.Registers);
    public override int GetHashCode() => Registers.Length;
    public override string ToString() => $"{nameof(ReadHoldingRegistersResponse)} [{string.Join(", ", Registers)}]";
}

/// <summary>Section 6.12: write <see cref="Values"/> (1–123 registers) from <see cref="Address"/> on.</summary>
public sealed record WriteMultipleRegistersRequest(ushort Address, ushort[] Values) : ModbusPdu
{
    public override ModbusFunction Function => ModbusFunction.WriteMultipleRegisters;

    public bool Equals(WriteMultipleRegistersRequest? other) => other is not null && Address == other.Address && Values.AsSpan().SequenceEqual(other.Values);
    public override int GetHashCode() => HashCode.Combine(Address, Values.Length);
    public override string ToString() => $"{nameof(WriteMultipleRegistersRequest)} @{Address} [{string.Join(", ", Values)}]";
}

/// <summary>Section 6.12: the server echoes the starting address and the quantity written.</summary>
public sealed record WriteMultipleRegistersResponse(ushort Address, ushort Count) : ModbusPdu
{
    public override ModbusFunction Function => ModbusFunction.WriteMultipleRegisters;
}

/// <summary>
/// Section 7: the server refused <see cref="Function"/>; on the wire the function code has its high bit set
/// (function | 0x80), followed by the exception code.
/// </summary>
public sealed record ModbusExceptionResponse(ModbusFunction Function, ModbusExceptionCode Code) : ModbusPdu
{
    public override ModbusFunction Function { get; } = Function;
}

/// <summary>
/// A Modbus TCP ADU without its redundant fields: the MBAP header's transaction id and unit id, and the PDU
/// (Modbus Messaging on TCP/IP Implementation Guide V1.0b, 3.1.3 "MBAP Header description"; the protocol id
/// is always 0 and the length follows from the PDU).
/// </summary>
public readonly record struct ModbusFrame(ushort TransactionId, byte UnitId, ModbusPdu Pdu);
