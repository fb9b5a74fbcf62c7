namespace TrackerDcs.Hardware.Modbus;

/// <summary>What a <see cref="ModbusTcpServer"/> serves: holding registers, read and written in ranges.</summary>
public interface IModbusRegisterBank
{
    /// <summary>Fills <paramref name="destination"/> from <paramref name="address"/> on; null, or the exception code to answer.</summary>
    ModbusExceptionCode? Read(ushort address, Span<ushort> destination);

    /// <summary>Stores <paramref name="values"/> from <paramref name="address"/> on; null, or the exception code to answer (then nothing is stored).</summary>
    ModbusExceptionCode? Write(ushort address, ReadOnlySpan<ushort> values);
}
