namespace TrackerDcs.Hardware.Marta;

/// <summary>One read of the plan: <see cref="Count"/> contiguous holding registers from <see cref="Address"/>.</summary>
public readonly record struct MartaReadChunk(ushort Address, ushort Count);

/// <summary>
/// MARTA's register map, loaded from the seed's YAML format unchanged (marta_registers.yml): the registers by
/// name, the alarm codes, and the plan that reads them all. Validated when loaded (see <see cref="MartaMapParser"/>),
/// so that a map that loads can be used without further checks.
/// </summary>
public sealed class MartaRegisterMap
{
    /// <summary>The default map, beside channels.yml.</summary>
    public const string DefaultFile = "marta_registers.yml";

    private readonly Dictionary<string, MartaRegister> _byName;

    internal MartaRegisterMap(string file, IReadOnlyList<MartaRegister> registers, IReadOnlyList<MartaAlarmCode> alarmCodes, int registersLine)
    {
        File = file;
        Registers = registers;
        AlarmCodes = alarmCodes;
        RegistersLine = registersLine;
        _byName = registers.ToDictionary(r => r.Name, StringComparer.Ordinal);
        ReadPlan = Plan(registers);
        ImageSize = registers.Max(r => r.Address + r.Width);
    }

    public string File { get; }

    /// <summary>In the file's order.</summary>
    public IReadOnlyList<MartaRegister> Registers { get; }

    /// <summary>In the file's order.</summary>
    public IReadOnlyList<MartaAlarmCode> AlarmCodes { get; }

    /// <summary>
    /// The reads that cover every register the map uses: contiguous runs of used addresses, broken at every gap
    /// (a PLC may refuse a read of addresses it does not define) and at 125 registers (the largest read,
    /// application protocol 6.3). A float32 is never split between two reads, so that both words come from one
    /// moment of the PLC.
    /// </summary>
    public IReadOnlyList<MartaReadChunk> ReadPlan { get; }

    /// <summary>Registers 0 … ImageSize − 1 hold every address of the map (the size of the array <see cref="Decode"/> takes).</summary>
    public int ImageSize { get; }

    /// <summary>The line of the <c>registers:</c> key, for messages about the map as a whole.</summary>
    public int RegistersLine { get; }

    public MartaRegister? Find(string name) => _byName.GetValueOrDefault(name);

    public MartaRegister this[string name] =>
        _byName.TryGetValue(name, out var register) ? register : throw new KeyNotFoundException($"{File} has no register '{name}'");

    /// <summary>Every register's value, in the file's order, from an image of the holding registers indexed by address.</summary>
    public IReadOnlyDictionary<string, MartaValue> Decode(ReadOnlySpan<ushort> image)
    {
        var values = new Dictionary<string, MartaValue>(Registers.Count, StringComparer.Ordinal);
        foreach (var register in Registers) values[register.Name] = register.Decode(image.Slice(register.Address, register.Width));
        return values;
    }

    /// <summary>Loads and validates a map file; any problem is a <see cref="MartaMapException"/> naming the file, line and key.</summary>
    public static MartaRegisterMap Load(string path)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MartaMapException(path, 0, null, $"cannot read the register map: {e.Message}");
        }
        return Parse(text, path);
    }

    public static MartaRegisterMap Parse(string text, string file) => new MartaMapParser(file).Parse(text);

    private static List<MartaReadChunk> Plan(IReadOnlyList<MartaRegister> registers)
    {
        // Each value as an indivisible span of addresses (bools of one register are one span).
        var spans = registers.Select(r => (Start: (int)r.Address, End: r.Address + r.Width)).Distinct().OrderBy(s => s.Start).ToList();
        var chunks = new List<MartaReadChunk>();
        int? start = null;
        var end = 0;
        foreach (var span in spans)
        {
            if (start is { } s && span.Start == end && span.End - s <= Modbus.ModbusCodec.MaxReadCount)
            {
                end = span.End;
                continue;
            }
            if (start is { } done) chunks.Add(new MartaReadChunk((ushort)done, (ushort)(end - done)));
            (start, end) = (span.Start, span.End);
        }
        if (start is { } last) chunks.Add(new MartaReadChunk((ushort)last, (ushort)(end - last)));
        return chunks;
    }
}
