namespace TrackerDcs.Hardware.Caen;

/// <summary>channels.yml cannot be used; the message names the file, the line and the key.</summary>
public sealed class ChannelMapException(string file, int line, string? key, string detail)
    : Exception(key is null ? $"{file}:{line}: {detail}" : $"{file}:{line}: '{key}': {detail}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string? Key { get; } = key;
}
