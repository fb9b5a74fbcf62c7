using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.Marta;

/// <summary>The MARTA register map cannot be used; the message names the file, the line and the key.</summary>
public sealed class MartaMapException(string file, int line, string? key, string detail) : YamlFileException(file, line, key, detail);
