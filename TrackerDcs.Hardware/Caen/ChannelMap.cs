using System.Security.Cryptography;
using System.Text;

namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// The CAEN channel map and settings of channels.yml (seed format, docs/architecture.md "channels.yml").
/// Loading either yields a complete map or throws <see cref="ChannelMapException"/>; never half a map.
/// </summary>
public sealed class ChannelMap
{
    internal ChannelMap(string name, IReadOnlyList<ChannelConfig> channels, string source, string sha256)
    {
        Name = name;
        Channels = channels;
        Source = source;
        Sha256 = sha256;
    }

    /// <summary>The MQTT topic root, "dcs" unless the file says otherwise.</summary>
    public string Name { get; }
    public IReadOnlyList<ChannelConfig> Channels { get; }
    /// <summary>The file (or name given to <see cref="Parse"/>) the map came from.</summary>
    public string Source { get; }
    /// <summary>SHA-256 of the file text, lower-case hex: which map a run used.</summary>
    public string Sha256 { get; }

    public ChannelConfig? Find(string id) => Channels.FirstOrDefault(c => c.Id == id);

    /// <summary>Loads a file; its hash is that of the bytes on disk, the one sha256sum prints.</summary>
    public static ChannelMap Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader.ReadToEnd(), path, SHA256.HashData(bytes));
    }

    /// <summary>Parses text given directly; its hash is that of the text in UTF-8.</summary>
    public static ChannelMap Parse(string text, string source) => Parse(text, source, SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static ChannelMap Parse(string text, string source, byte[] sha256)
    {
        var (name, channels) = new ChannelMapParser(source).Parse(text);
        return new ChannelMap(name, channels, source, Convert.ToHexStringLower(sha256));
    }
}
