using System.Buffers.Binary;
using System.Text;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// Encodes and decodes the DBR structures of db_access.h. Each structure is the metadata of its class
/// followed by the value array; the payload is padded to a multiple of 8 bytes. Field offsets (RISC_pad
/// included) follow the C structures, since every client copies the payload straight into them:
/// STS: i16 status, i16 severity. TIME: STS + epicsTimeStamp (u32 seconds since 1990-01-01, u32 ns).
/// GR/CTRL: STS + precision (float/double) + units[8] + limits in the field type (+ 2 control limits
/// for CTRL); GR/CTRL_ENUM: STS + i16 no_str + strs[16][26]; GR/CTRL_STRING are DBR_STS_STRING.
/// STSACK_STRING: u16 status, severity, ackt, acks, then the value as strings; CLASS_NAME: the record type's
/// name as one string (dbr_class_name_t), whatever the channel's count.
/// </summary>
public static class DbrCodec
{
    public const int UnitsSize = 8;
    public const int EnumStringSize = 26;
    public const int MaxEnumStrings = 16;

    /// <summary>POSIX time of the EPICS epoch, 1990-01-01 00:00:00 UTC (epicsTime.h POSIX_TIME_AT_EPICS_EPOCH).</summary>
    public static readonly DateTime EpicsEpoch = new(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Bytes before the value in each structure, by class then field type (string … double).</summary>
    private static readonly int[,] MetaSizes =
    {
        { 0, 0, 0, 0, 0, 0, 0 },
        { 4, 4, 4, 4, 5, 4, 8 },
        { 12, 14, 12, 14, 15, 12, 16 },
        { 4, 24, 40, 422, 19, 36, 64 },
        { 4, 28, 48, 422, 21, 44, 80 },
    };

    public static int MetaSize(DbrType dbr) => dbr.Class switch
    {
        DbrClass.StatusAck => 8,
        DbrClass.ClassName => 0,
        _ => MetaSizes[(int)dbr.Class, (int)dbr.Type],
    };

    public static int PayloadSize(DbrType dbr, uint count) =>
        CaMessage.Padded(MetaSize(dbr) + (int)count * CaValueConverter.ElementSize(dbr.Type));

    /// <summary>
    /// Encodes <paramref name="value"/> as <paramref name="dbr"/>, converting the field type. A count of 0
    /// asks for the value's own length (v4.13 variable-length arrays); a larger count is zero filled.
    /// </summary>
    public static (byte[] Payload, uint Count) Encode(DbrType dbr, DbrValue value, uint count = 0)
    {
        var values = dbr.Class == DbrClass.ClassName
            ? new[] { value.RecordType }
            : CaValueConverter.Convert(value.Values, value.Type, dbr.Type, value.EnumStrings, value.Precision);
        if (count == 0) count = (uint)values.Length;
        var payload = new byte[PayloadSize(dbr, count)];
        WriteMeta(payload, dbr, value);
        var span = payload.AsSpan(MetaSize(dbr));
        var size = CaValueConverter.ElementSize(dbr.Type);
        for (var i = 0; i < Math.Min(count, values.Length); i++)
            WriteElement(span.Slice(i * size, size), dbr.Type, values.GetValue(i)!);
        return (payload, count);
    }

    /// <summary>Decodes a payload; a string may end early (libca sends only up to the NUL of a single string).</summary>
    /// <exception cref="CaProtocolException">The payload is shorter than the metadata and values announced.</exception>
    public static DbrValue Decode(DbrType dbr, uint count, ReadOnlySpan<byte> payload)
    {
        var meta = MetaSize(dbr);
        var size = CaValueConverter.ElementSize(dbr.Type);
        var needed = meta + (dbr.Type == CaType.String ? (count == 0 ? 0 : 1) : (long)count * size);
        if (payload.Length < needed)
            throw new CaProtocolException($"{dbr} × {count} needs {needed} bytes, payload has {payload.Length}");
        var values = Array.CreateInstance(CaValueConverter.ClrType(dbr.Type), count);
        var data = payload[meta..];
        for (var i = 0; i < count; i++)
        {
            var start = i * size;
            var element = start >= data.Length ? [] : data.Slice(start, Math.Min(size, data.Length - start));
            values.SetValue(ReadElement(element, dbr.Type), i);
        }
        var decoded = ReadMeta(payload, dbr, new DbrValue(dbr.Type, values));
        return dbr.Class == DbrClass.ClassName && count > 0 ? decoded with { RecordType = (string)values.GetValue(0)! } : decoded;
    }

    private static void WriteMeta(Span<byte> p, DbrType dbr, DbrValue v)
    {
        if (dbr.Class is DbrClass.Plain or DbrClass.ClassName) return;
        BinaryPrimitives.WriteUInt16BigEndian(p, v.Status);
        BinaryPrimitives.WriteUInt16BigEndian(p[2..], (ushort)v.Severity);
        switch (dbr.Class)
        {
            case DbrClass.StatusAck:
                BinaryPrimitives.WriteUInt16BigEndian(p[4..], v.AckTransient ? (ushort)1 : (ushort)0);
                BinaryPrimitives.WriteUInt16BigEndian(p[6..], (ushort)v.AckSeverity);
                break;
            case DbrClass.Time:
                var (seconds, nanoseconds) = ToEpics(v.Timestamp);
                BinaryPrimitives.WriteUInt32BigEndian(p[4..], seconds);
                BinaryPrimitives.WriteUInt32BigEndian(p[8..], nanoseconds);
                break;
            case DbrClass.Graphic or DbrClass.Control when dbr.Type == CaType.Enum:
                var labels = v.EnumStrings.Take(MaxEnumStrings).ToArray();
                BinaryPrimitives.WriteInt16BigEndian(p[4..], (short)labels.Length);
                for (var i = 0; i < labels.Length; i++)
                    WriteString(p.Slice(6 + i * EnumStringSize, EnumStringSize), labels[i]);
                break;
            case DbrClass.Graphic or DbrClass.Control when dbr.Type != CaType.String:
                var limitsAt = WriteUnitsAndPrecision(p, dbr.Type, v);
                var size = CaValueConverter.ElementSize(dbr.Type);
                var limits = LimitList(v.Limits, dbr.Class);
                for (var i = 0; i < limits.Length; i++)
                    WriteElement(p.Slice(limitsAt + i * size, size), dbr.Type,
                        CaValueConverter.ConvertElement(limits[i], CaType.Double, dbr.Type, [], 0));
                break;
        }
    }

    private static int WriteUnitsAndPrecision(Span<byte> p, CaType type, DbrValue v)
    {
        if (type is CaType.Float or CaType.Double)
        {
            BinaryPrimitives.WriteInt16BigEndian(p[4..], v.Precision);
            WriteString(p.Slice(8, UnitsSize), v.Units);
            return 8 + UnitsSize;
        }
        WriteString(p.Slice(4, UnitsSize), v.Units);
        return 4 + UnitsSize;
    }

    private static double[] LimitList(DbrLimits l, DbrClass cls) => cls == DbrClass.Control
        ? [l.UpperDisplay, l.LowerDisplay, l.UpperAlarm, l.UpperWarning, l.LowerWarning, l.LowerAlarm, l.UpperControl, l.LowerControl]
        : [l.UpperDisplay, l.LowerDisplay, l.UpperAlarm, l.UpperWarning, l.LowerWarning, l.LowerAlarm];

    private static DbrValue ReadMeta(ReadOnlySpan<byte> p, DbrType dbr, DbrValue v)
    {
        if (dbr.Class is DbrClass.Plain or DbrClass.ClassName) return v;
        v = v with
        {
            Status = BinaryPrimitives.ReadUInt16BigEndian(p),
            Severity = (AlarmSeverity)BinaryPrimitives.ReadUInt16BigEndian(p[2..]),
        };
        switch (dbr.Class)
        {
            case DbrClass.StatusAck:
                return v with
                {
                    AckTransient = BinaryPrimitives.ReadUInt16BigEndian(p[4..]) != 0,
                    AckSeverity = (AlarmSeverity)BinaryPrimitives.ReadUInt16BigEndian(p[6..]),
                };
            case DbrClass.Time:
                return v with { Timestamp = FromEpics(BinaryPrimitives.ReadUInt32BigEndian(p[4..]), BinaryPrimitives.ReadUInt32BigEndian(p[8..])) };
            case DbrClass.Graphic or DbrClass.Control when dbr.Type == CaType.Enum:
                var count = Math.Clamp((int)BinaryPrimitives.ReadInt16BigEndian(p[4..]), 0, MaxEnumStrings);
                var labels = new string[count];
                for (var i = 0; i < count; i++) labels[i] = ReadString(p.Slice(6 + i * EnumStringSize, EnumStringSize));
                return v with { EnumStrings = labels };
            case DbrClass.Graphic or DbrClass.Control when dbr.Type != CaType.String:
                var floating = dbr.Type is CaType.Float or CaType.Double;
                var unitsAt = floating ? 8 : 4;
                var limitsAt = unitsAt + UnitsSize;
                var size = CaValueConverter.ElementSize(dbr.Type);
                var n = dbr.Class == DbrClass.Control ? 8 : 6;
                var l = new double[8];
                for (var i = 0; i < n; i++)
                    l[i] = (double)CaValueConverter.ConvertElement(ReadElement(p.Slice(limitsAt + i * size, size), dbr.Type), dbr.Type, CaType.Double, [], 0);
                return v with
                {
                    Precision = floating ? BinaryPrimitives.ReadInt16BigEndian(p[4..]) : (short)0,
                    Units = ReadString(p.Slice(unitsAt, UnitsSize)),
                    Limits = new DbrLimits(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]),
                };
            default:
                return v;
        }
    }

    private static void WriteElement(Span<byte> d, CaType type, object value)
    {
        switch (type)
        {
            case CaType.String: WriteString(d, (string)value); break;
            case CaType.Short: BinaryPrimitives.WriteInt16BigEndian(d, (short)value); break;
            case CaType.Float: BinaryPrimitives.WriteSingleBigEndian(d, (float)value); break;
            case CaType.Enum: BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)value); break;
            case CaType.Char: d[0] = (byte)value; break;
            case CaType.Long: BinaryPrimitives.WriteInt32BigEndian(d, (int)value); break;
            case CaType.Double: BinaryPrimitives.WriteDoubleBigEndian(d, (double)value); break;
        }
    }

    private static object ReadElement(ReadOnlySpan<byte> s, CaType type) => type switch
    {
        CaType.String => ReadString(s),
        CaType.Short => BinaryPrimitives.ReadInt16BigEndian(s),
        CaType.Float => BinaryPrimitives.ReadSingleBigEndian(s),
        CaType.Enum => BinaryPrimitives.ReadUInt16BigEndian(s),
        CaType.Char => s[0],
        CaType.Long => BinaryPrimitives.ReadInt32BigEndian(s),
        _ => BinaryPrimitives.ReadDoubleBigEndian(s),
    };

    /// <summary>Writes a NUL-terminated string into a fixed field, truncated to leave room for the NUL.</summary>
    private static void WriteString(Span<byte> field, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes.AsSpan(0, Math.Min(bytes.Length, field.Length - 1)).CopyTo(field);
    }

    private static string ReadString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    public static (uint Seconds, uint Nanoseconds) ToEpics(DateTime timestamp)
    {
        var utc = timestamp.Kind == DateTimeKind.Local ? timestamp.ToUniversalTime() : timestamp;
        if (utc <= EpicsEpoch) return (0, 0);
        var ticks = utc.Ticks - EpicsEpoch.Ticks;
        return ((uint)(ticks / TimeSpan.TicksPerSecond), (uint)(ticks % TimeSpan.TicksPerSecond * 100));
    }

    public static DateTime FromEpics(uint seconds, uint nanoseconds) =>
        EpicsEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + nanoseconds / 100);
}
