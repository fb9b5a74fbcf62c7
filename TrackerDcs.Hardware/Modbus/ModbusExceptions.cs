namespace TrackerDcs.Hardware.Modbus;

/// <summary>Something went wrong talking Modbus; the subclasses say what.</summary>
public abstract class ModbusException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The peer sent bytes that are not a valid Modbus TCP frame, or an answer that does not fit the request. The connection is closed.</summary>
public sealed class ModbusProtocolException(string message) : ModbusException(message);

/// <summary>No answer within the response time-out. The connection is closed, so that a late answer is never taken for the next request's.</summary>
public sealed class ModbusTimeoutException(string message) : ModbusException(message);

/// <summary>The connection could not be opened, or broke.</summary>
public sealed class ModbusConnectionException(string message, Exception? inner = null) : ModbusException(message, inner);

/// <summary>The server answered with an exception response (section 7 of the application protocol). The connection stays open.</summary>
public sealed class ModbusServerException(ModbusFunction function, ModbusExceptionCode code, string request)
    : ModbusException($"{request}: the server answered {code.Name()} (exception 0x{(byte)code:X2} to function 0x{(byte)function:X2})")
{
    public ModbusFunction Function { get; } = function;
    public ModbusExceptionCode Code { get; } = code;
}

/// <summary>
/// A complete, well-framed request that a server must refuse with an exception response (an unknown function, a
/// quantity outside the specification's limits): the frame was consumed and the connection stays usable.
/// </summary>
public sealed class ModbusRequestException(MbapHeader header, byte function, ModbusExceptionCode code, string message) : ModbusException(message)
{
    public MbapHeader Header { get; } = header;
    public byte Function { get; } = function;
    public ModbusExceptionCode Code { get; } = code;
}
