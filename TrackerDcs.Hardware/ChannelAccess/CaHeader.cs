using System.Buffers.Binary;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// The CA message header ("Message header" in the CA protocol specification): 16 bytes, big-endian:
/// command (u16), payload size (u16), data type (u16), data count (u16), parameter 1 (u32), parameter 2 (u32).
/// Since v4.9 a payload of 0xFFFF bytes or more, or a count above 0xFFFF, uses the extended header:
/// payload size 0xFFFF and data count 0 in the 16 bytes, followed by a u32 payload size and a u32 data count.
/// </summary>
public readonly record struct CaHeader(
    CaCommand Command, uint PayloadSize, ushort DataType, uint DataCount, uint Parameter1, uint Parameter2)
{
    public const int Size = 16;
    public const int ExtendedSize = 24;
    private const ushort ExtendedMarker = 0xFFFF;

    public bool IsExtended => PayloadSize >= ExtendedMarker || DataCount > ushort.MaxValue;
    public int EncodedSize => IsExtended ? ExtendedSize : Size;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)Command);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], DataType);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Parameter1);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Parameter2);
        if (IsExtended)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], ExtendedMarker);
            BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 0);
            BinaryPrimitives.WriteUInt32BigEndian(destination[16..], PayloadSize);
            BinaryPrimitives.WriteUInt32BigEndian(destination[20..], DataCount);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)PayloadSize);
            BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)DataCount);
        }
    }

    /// <summary>Reads a header; returns its length (16 or 24), or 0 when <paramref name="source"/> holds too few bytes.</summary>
    public static int TryRead(ReadOnlySpan<byte> source, out CaHeader header)
    {
        header = default;
        if (source.Length < Size) return 0;
        var command = (CaCommand)BinaryPrimitives.ReadUInt16BigEndian(source);
        uint payload = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        var type = BinaryPrimitives.ReadUInt16BigEndian(source[4..]);
        uint count = BinaryPrimitives.ReadUInt16BigEndian(source[6..]);
        var p1 = BinaryPrimitives.ReadUInt32BigEndian(source[8..]);
        var p2 = BinaryPrimitives.ReadUInt32BigEndian(source[12..]);
        var length = Size;
        if (payload == ExtendedMarker)
        {
            if (source.Length < ExtendedSize) return 0;
            payload = BinaryPrimitives.ReadUInt32BigEndian(source[16..]);
            count = BinaryPrimitives.ReadUInt32BigEndian(source[20..]);
            length = ExtendedSize;
        }
        header = new CaHeader(command, payload, type, count, p1, p2);
        return length;
    }
}
