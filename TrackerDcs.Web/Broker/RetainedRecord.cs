using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// One change of a retained message as the journal keeps it: the message set on its topic, or, with an empty
/// payload, the topic's retained message deleted (MQTT 3.1.1 §3.3.1.3, MQTT 5 [MQTT-3.3.1-6]).
/// <paramref name="Owner"/> is the account that published it, for the per-account quota.
/// </summary>
public sealed record RetainedRecord(string Topic, string Owner, byte[] Payload, byte Qos = 1,
    string? ContentType = null, string? ResponseTopic = null, uint MessageExpiry = 0)
{
    public bool IsDelete => Payload.Length == 0;

    /// <summary>Frame header: body length and CRC-32 of the body, both little-endian.</summary>
    public const int HeaderBytes = 8;

    /// <summary>No record is this large (the broker's packets are far smaller): a larger length is a torn or damaged header.</summary>
    private const int MaxBodyBytes = 256 * 1024 * 1024;

    /// <summary>
    /// The record as a frame: length, CRC-32, body. A crash can leave the last frame of a file half written;
    /// the length and the checksum let <see cref="ReadFrames"/> tell that frame from a whole one.
    /// </summary>
    public void WriteFrame(Stream stream)
    {
        using var body = new MemoryStream(64 + Topic.Length + Payload.Length);
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Topic);
            writer.Write(Owner);
            writer.Write(Payload.Length);
            writer.Write(Payload);
            writer.Write(Qos);
            writer.Write(ContentType is not null);
            if (ContentType is not null) writer.Write(ContentType);
            writer.Write(ResponseTopic is not null);
            if (ResponseTopic is not null) writer.Write(ResponseTopic);
            writer.Write(MessageExpiry);
        }
        var bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(header, bytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(bytes));
        stream.Write(header);
        stream.Write(bytes);
    }

    /// <summary>
    /// The whole frames at the start of <paramref name="data"/>, in order. Reading stops at the first frame that
    /// is short, too long or fails its checksum: <paramref name="validLength"/> is where that frame starts
    /// (the data's length when all are whole).
    /// </summary>
    public static List<RetainedRecord> ReadFrames(ReadOnlySpan<byte> data, out int validLength)
    {
        var records = new List<RetainedRecord>();
        var position = 0;
        while (data.Length - position >= HeaderBytes)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data[position..]);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(data[(position + 4)..]);
            if (length < 0 || length > MaxBodyBytes || length > data.Length - position - HeaderBytes) break;
            var body = data.Slice(position + HeaderBytes, length);
            if (Crc32.HashToUInt32(body) != crc || Decode(body) is not { } record) break;
            records.Add(record);
            position += HeaderBytes + length;
        }
        validLength = position;
        return records;
    }

    private static RetainedRecord? Decode(ReadOnlySpan<byte> body)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(body.ToArray()), Encoding.UTF8);
            var topic = reader.ReadString();
            var owner = reader.ReadString();
            var payload = reader.ReadBytes(reader.ReadInt32());
            var qos = reader.ReadByte();
            var contentType = reader.ReadBoolean() ? reader.ReadString() : null;
            var responseTopic = reader.ReadBoolean() ? reader.ReadString() : null;
            var expiry = reader.ReadUInt32();
            return new RetainedRecord(topic, owner, payload, qos, contentType, responseTopic, expiry);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException)
        {
            // A checksum that matches a body this code cannot read: damaged in a way CRC-32 missed, or written by
            // a newer version. Treated as the end of what can be trusted.
            return null;
        }
    }
}
