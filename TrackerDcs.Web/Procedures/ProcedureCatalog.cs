namespace TrackerDcs.Web.Procedures;

/// <summary>
/// The procedures of the folder, loaded at start and on procedures/cmd/reload. A reload is all or nothing: one
/// broken file keeps the procedures loaded before, and the reload is refused naming it.
/// </summary>
public sealed class ProcedureCatalog(string directory)
{
    private readonly Lock _gate = new();
    private IReadOnlyDictionary<string, Procedure> _procedures = new Dictionary<string, Procedure>();

    public string Directory => directory;

    public IReadOnlyList<string> Names { get { lock (_gate) return [.. _procedures.Keys.Order(StringComparer.Ordinal)]; } }

    public IReadOnlyList<Procedure> All { get { lock (_gate) return [.. _procedures.Values.OrderBy(p => p.Name, StringComparer.Ordinal)]; } }

    public Procedure? Find(string name)
    {
        lock (_gate) return _procedures.GetValueOrDefault(name);
    }

    /// <summary>Reads every *.yml of the folder; throws <see cref="ProcedureFileException"/> for the first broken one, changing nothing.</summary>
    public IReadOnlyList<Procedure> Load(ProcedureRules rules)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new ProcedureFileException(directory, 0, null, "the procedures folder does not exist");
        var loaded = System.IO.Directory.EnumerateFiles(directory, "*.yml").Order(StringComparer.Ordinal)
            .Select(file => ProcedureFile.Load(file, rules)).ToList();
        lock (_gate) _procedures = loaded.ToDictionary(p => p.Name);
        return loaded;
    }
}
