namespace TrackerDcs.Hardware.Marta;

/// <summary>
/// One entry of the register map: where a value lives in MARTA's holding registers and how it is encoded.
/// Registers carry their bytes big-endian (Modbus Application Protocol V1.1b3, 4.2 "Data Encoding"); a float32
/// spans two registers with the LOW word at the LOWER address (the seed's word order; mbpoll's default, without -B).
/// </summary>
/// <param name="Input">The map's <c>input: true</c>: the only registers TrackerDcs may write.</param>
/// <param name="Deadband">A change is published only when the value moved by more than this since it was last published.</param>
/// <param name="Line">The line of its name in the map file, for messages.</param>
public sealed record MartaRegister(string Name, MartaRegisterType Type, ushort Address, int? Bit, bool Input, double Deadband, int Line)
{
    /// <summary>How many 16-bit registers the value spans.</summary>
    public int Width => Type == MartaRegisterType.Float32 ? 2 : 1;

    public string Where => Type switch
    {
        MartaRegisterType.Float32 => $"float32 at {Address}–{Address + 1}",
        MartaRegisterType.Bool => $"bool at {Address} bit {Bit}",
        _ => $"int at {Address}",
    };

    /// <summary>The value from the register's own words (<see cref="Width"/> of them, from <see cref="Address"/> on).</summary>
    public MartaValue Decode(ReadOnlySpan<ushort> words) => Type switch
    {
        MartaRegisterType.Float32 => new(Type, BitConverter.Int32BitsToSingle(words[1] << 16 | words[0])),
        MartaRegisterType.Bool => new(Type, (words[0] >> Bit!.Value) & 1),
        _ => new(Type, words[0]),
    };

    /// <summary>The words of a float32: low word first.</summary>
    public static ushort[] EncodeFloat32(float value)
    {
        var bits = (uint)BitConverter.SingleToInt32Bits(value);
        return [(ushort)(bits & 0xFFFF), (ushort)(bits >> 16)];
    }

    /// <summary>A bool's register with only its bit changed (the read-modify-write of a bool).</summary>
    public ushort WithBit(ushort register, bool value) =>
        Type == MartaRegisterType.Bool
            ? (ushort)(value ? register | (1 << Bit!.Value) : register & ~(1 << Bit!.Value))
            : throw new InvalidOperationException($"{Name} is not a bool");
}
