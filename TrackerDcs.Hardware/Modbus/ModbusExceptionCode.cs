namespace TrackerDcs.Hardware.Modbus;

/// <summary>
/// The exception codes of Modbus Application Protocol Specification V1.1b3, section 7 "MODBUS Exception
/// Responses": a server that cannot carry out a request answers with the function code plus 0x80 and one of these.
/// </summary>
public enum ModbusExceptionCode : byte
{
    IllegalFunction = 0x01,
    IllegalDataAddress = 0x02,
    IllegalDataValue = 0x03,
    ServerDeviceFailure = 0x04,
    Acknowledge = 0x05,
    ServerDeviceBusy = 0x06,
    MemoryParityError = 0x08,
    GatewayPathUnavailable = 0x0A,
    GatewayTargetDeviceFailedToRespond = 0x0B,
}

public static class ModbusExceptionCodes
{
    /// <summary>The specification's name of a code ("ILLEGAL DATA ADDRESS"), with the number for codes it does not define.</summary>
    public static string Name(this ModbusExceptionCode code) => code switch
    {
        ModbusExceptionCode.IllegalFunction => "ILLEGAL FUNCTION",
        ModbusExceptionCode.IllegalDataAddress => "ILLEGAL DATA ADDRESS",
        ModbusExceptionCode.IllegalDataValue => "ILLEGAL DATA VALUE",
        ModbusExceptionCode.ServerDeviceFailure => "SERVER DEVICE FAILURE",
        ModbusExceptionCode.Acknowledge => "ACKNOWLEDGE",
        ModbusExceptionCode.ServerDeviceBusy => "SERVER DEVICE BUSY",
        ModbusExceptionCode.MemoryParityError => "MEMORY PARITY ERROR",
        ModbusExceptionCode.GatewayPathUnavailable => "GATEWAY PATH UNAVAILABLE",
        ModbusExceptionCode.GatewayTargetDeviceFailedToRespond => "GATEWAY TARGET DEVICE FAILED TO RESPOND",
        _ => $"exception code 0x{(byte)code:X2} (not defined by the specification)",
    };
}
