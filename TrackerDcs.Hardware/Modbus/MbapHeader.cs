using System.Buffers.Binary;

namespace TrackerDcs.Hardware.Modbus;

/// <summary>
/// The MBAP header that precedes every PDU on Modbus TCP (Modbus Messaging on TCP/IP Implementation Guide V1.0b,
/// 3.1.3 "MBAP Header description"): 7 bytes, big-endian. The transaction id pairs a response with its request
/// (the server copies it); the protocol id is 0 for Modbus; the length counts the bytes that follow it, the unit
/// id included; the unit id addresses a device behind a gateway (the server copies it too).
/// </summary>
public readonly record struct MbapHeader(ushort TransactionId, ushort ProtocolId, ushort Length, byte UnitId)
{
    public const int Size = 7;

    /// <summary>The PDU bytes that follow the header.</summary>
    public int PduLength => Length - 1;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], ProtocolId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], Length);
        destination[6] = UnitId;
    }

    public static MbapHeader Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt16BigEndian(source),
        BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
        BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
        source[6]);
}
