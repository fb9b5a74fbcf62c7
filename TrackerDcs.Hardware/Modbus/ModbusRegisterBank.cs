namespace TrackerDcs.Hardware.Modbus;

/// <summary>
/// Holding registers as a PLC exposes them: only the addresses it defines can be read, and only some of those
/// written. A request that touches any other address is refused whole with ILLEGAL DATA ADDRESS (application
/// protocol 6.3 and 6.12: "starting address + quantity" must be valid), as a PLC answers a read across a gap in
/// its map. The owner sets and reads any defined register through the indexer. Thread-safe.
/// </summary>
public sealed class ModbusRegisterBank : IModbusRegisterBank
{
    private readonly Lock _gate = new();
    private readonly ushort[] _values = new ushort[0x10000];
    private readonly bool[] _readable = new bool[0x10000];
    private readonly bool[] _writable = new bool[0x10000];

    /// <param name="readable">The addresses that exist.</param>
    /// <param name="writable">Those of them a client may write.</param>
    public ModbusRegisterBank(IEnumerable<ushort> readable, IEnumerable<ushort> writable)
    {
        foreach (var address in readable) _readable[address] = true;
        foreach (var address in writable)
        {
            if (!_readable[address]) throw new ArgumentException($"register {address} is writable but not readable", nameof(writable));
            _writable[address] = true;
        }
    }

    public ushort this[ushort address]
    {
        get { lock (_gate) return _values[address]; }
        set { lock (_gate) _values[address] = value; }
    }

    public ModbusExceptionCode? Read(ushort address, Span<ushort> destination)
    {
        lock (_gate)
        {
            if (!All(_readable, address, destination.Length)) return ModbusExceptionCode.IllegalDataAddress;
            _values.AsSpan(address, destination.Length).CopyTo(destination);
            return null;
        }
    }

    public ModbusExceptionCode? Write(ushort address, ReadOnlySpan<ushort> values)
    {
        lock (_gate)
        {
            if (!All(_writable, address, values.Length)) return ModbusExceptionCode.IllegalDataAddress;
            values.CopyTo(_values.AsSpan(address));
            return null;
        }
    }

    private static bool All(bool[] allowed, ushort address, int count) =>
        address + count <= allowed.Length && !allowed.AsSpan(address, count).Contains(false);
}
