namespace TrackerDcs.Hardware.Modbus;

/// <summary>
/// The public function codes this stack speaks (Modbus Application Protocol Specification V1.1b3, 5.1 "Public
/// Function Code Definition"). MARTA keeps every value in holding registers, so reading and writing those is all
/// it needs; any other code is answered with ILLEGAL FUNCTION by our server and never sent by our client.
/// </summary>
public enum ModbusFunction : byte
{
    /// <summary>03 (0x03) Read Holding Registers, section 6.3.</summary>
    ReadHoldingRegisters = 0x03,

    /// <summary>16 (0x10) Write Multiple Registers, section 6.12.</summary>
    WriteMultipleRegisters = 0x10,
}
