using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.Caen;

/// <summary>channels.yml cannot be used; the message names the file, the line and the key.</summary>
public sealed class ChannelMapException(string file, int line, string? key, string detail) : YamlFileException(file, line, key, detail);
