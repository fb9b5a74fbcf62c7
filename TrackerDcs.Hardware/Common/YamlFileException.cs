namespace TrackerDcs.Hardware.Common;

/// <summary>A hand-edited YAML file cannot be used; the message names the file, the line and the key, so the operator can go straight to it.</summary>
public abstract class YamlFileException(string file, int line, string? key, string detail)
    : Exception(key is null ? $"{file}:{line}: {detail}" : $"{file}:{line}: '{key}': {detail}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string? Key { get; } = key;
}
