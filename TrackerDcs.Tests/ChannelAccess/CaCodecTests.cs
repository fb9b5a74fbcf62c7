using TrackerDcs.Hardware.ChannelAccess;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>Every CA command and every DBR type, encoded and decoded again without a socket.</summary>
public class CaCodecTests(ITestOutputHelper output)
{
    private static readonly DateTime Stamp = new DateTime(2026, 11, 25, 14, 0, 0, DateTimeKind.Utc).AddTicks(1234567);

    public static TheoryData<string, CaMessage> Messages()
    {
        var header = new CaHeader(CaCommand.WriteNotify, 8, 6, 1, 7, 9);
        var bigArray = new byte[70_000];
        bigArray[69_999] = 0xAB;
        var data = new TheoryData<string, CaMessage>();
        foreach (var (name, message) in new (string, CaMessage)[]
        {
            ("VERSION", CaMessage.Version(priority: 3)),
            ("SEARCH", CaMessage.Search("cleanroom:00:000:VMon", 42, replyIfNotFound: true)),
            ("SEARCH reply", CaMessage.SearchReply(5064, 0x7F000001, 42)),
            ("NOT_FOUND", CaMessage.NotFound(42)),
            ("CREATE_CHAN", CaMessage.CreateChannel("cleanroom:12:003:Pw", 5)),
            ("CREATE_CHAN reply", CaMessage.CreateChannelReply(CaType.Enum, 1, 5, 77)),
            ("CREATE_CH_FAIL", CaMessage.CreateChannelFailed(5)),
            ("ACCESS_RIGHTS", CaMessage.AccessRights(5, CaAccessRights.Read)),
            ("READ_NOTIFY", CaMessage.ReadNotify(20, 1, 77, 1001)),
            ("READ_NOTIFY reply", CaMessage.ReadNotifyReply(6, 1, CaStatus.Normal, 1001, new byte[8] { 64, 41, 0, 0, 0, 0, 0, 0 })),
            ("READ_NOTIFY reply, extended", CaMessage.ReadNotifyReply(4, 70_000, CaStatus.Normal, 1002, CaPad(bigArray))),
            ("WRITE", CaMessage.Write(6, 1, 77, 3, new byte[8])),
            ("WRITE_NOTIFY", CaMessage.WriteNotify(0, 1, 77, 4, new byte[40])),
            ("WRITE_NOTIFY reply", CaMessage.WriteNotifyReply(0, 1, CaStatus.NoWriteAccess, 4)),
            ("EVENT_ADD", CaMessage.EventAdd(20, 0, 77, 12, CaEventMask.Value | CaEventMask.Alarm)),
            ("EVENT_ADD reply", CaMessage.EventAddReply(6, 1, CaStatus.Normal, 12, new byte[8])),
            ("EVENT_CANCEL", CaMessage.EventCancel(20, 1, 77, 12)),
            ("EVENT_CANCEL reply", CaMessage.EventCancelReply(20, 1, 77, 12)),
            ("CLEAR_CHANNEL", CaMessage.ClearChannel(77, 5)),
            ("CLIENT_NAME", CaMessage.ClientName("operator")),
            ("HOST_NAME", CaMessage.HostName("teststand-pc")),
            ("ECHO", CaMessage.Echo()),
            ("EVENTS_OFF", CaMessage.EventsOff()),
            ("EVENTS_ON", CaMessage.EventsOn()),
            ("RSRV_IS_UP", CaMessage.Beacon(5064, 17, 0x7F000001)),
            ("SERVER_DISCONN", CaMessage.ServerDisconnect(5)),
            ("ERROR", CaMessage.Error(header, 5, CaStatus.PutFail, "channel is tripped")),
        })
            data.Add(name, message);
        return data;
    }

    private static byte[] CaPad(byte[] data) => data.Concat(new byte[CaMessage.Padded(data.Length) - data.Length]).ToArray();

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_command_round_trips_through_partial_frames(string name, CaMessage message)
    {
        var seed = Environment.TickCount;
        output.WriteLine($"{name}: seed {seed}");
        var random = new Random(seed);
        var bytes = message.ToBytes().Concat(CaMessage.Echo().ToBytes()).ToArray();
        Assert.Equal(0, message.Payload.Length % 8);

        var reader = new CaMessageReader();
        var received = new List<CaMessage>();
        for (var offset = 0; offset < bytes.Length;)
        {
            var chunk = Math.Min(bytes.Length - offset, random.Next(1, 40));
            reader.Append(bytes.AsSpan(offset, chunk));
            offset += chunk;
            while (reader.TryRead(out var m)) received.Add(m);
        }

        Assert.Equal(2, received.Count);
        Assert.Equal(message.Header, received[0].Header);
        Assert.Equal(message.Payload, received[0].Payload);
        Assert.Equal(CaCommand.Echo, received[1].Command);
        Assert.Equal(0, reader.Buffered);
    }

    [Fact]
    public void Message_payload_accessors_read_what_the_factories_wrote()
    {
        Assert.Equal("cleanroom:00:000:VMon", CaMessage.Search("cleanroom:00:000:VMon", 1).PayloadString);
        Assert.Equal(CaEventMask.Value | CaEventMask.Alarm, CaMessage.EventAdd(20, 1, 2, 3, CaEventMask.Value | CaEventMask.Alarm).EventMask);
        var request = new CaHeader(CaCommand.Write, 8, 6, 1, 2, 3);
        var error = CaMessage.Error(request, 9, CaStatus.NoWriteAccess, "read-only");
        Assert.Equal(request, error.ErrorRequest);
        Assert.Equal("read-only", error.ErrorText);
    }

    [Fact]
    public void An_oversized_payload_is_a_protocol_error()
    {
        var header = new byte[CaHeader.ExtendedSize];
        new CaHeader(CaCommand.ReadNotify, 1 << 20, 6, 1 << 17, 1, 1).WriteTo(header);
        var reader = new CaMessageReader(maxPayload: 1024);
        reader.Append(header);
        Assert.Throws<CaProtocolException>(() => reader.TryRead(out _));
    }

    public static TheoryData<ushort, int> DbrTypes()
    {
        var data = new TheoryData<ushort, int>();
        foreach (var code in DbrType.ReadCodes)
        foreach (var count in code == DbrType.ClassNameCode ? [1] : new[] { 1, 3 })
            data.Add(code, count);
        return data;
    }

    [Theory]
    [MemberData(nameof(DbrTypes))]
    public void Every_dbr_type_round_trips(ushort code, int count)
    {
        var dbr = DbrType.FromCode(code);
        Assert.Equal(code, dbr.Code);
        var value = Sample(dbr, count);

        var (payload, sentCount) = DbrCodec.Encode(dbr, value);
        Assert.Equal((uint)count, sentCount);
        Assert.Equal(0, payload.Length % 8);
        var decoded = DbrCodec.Decode(dbr, sentCount, payload);

        Assert.Equal(value.Type, decoded.Type);
        Assert.Equal(value.Values, decoded.Values);
        Assert.Equal(value.Status, decoded.Status);
        Assert.Equal(value.Severity, decoded.Severity);
        Assert.Equal(value.Timestamp, decoded.Timestamp);
        Assert.Equal(value.Units, decoded.Units);
        Assert.Equal(value.Precision, decoded.Precision);
        Assert.Equal(value.Limits, decoded.Limits);
        Assert.Equal(value.EnumStrings, decoded.EnumStrings);
        Assert.Equal(value.AckTransient, decoded.AckTransient);
        Assert.Equal(value.AckSeverity, decoded.AckSeverity);
        Assert.Equal(value.RecordType, decoded.RecordType);
    }

    [Fact]
    public void Stsack_string_and_class_name_are_laid_out_as_db_access_h_says()
    {
        var value = new DbrValue(CaType.Double, new[] { 12.5 })
            { Status = 3, Severity = AlarmSeverity.Major, AckTransient = true, AckSeverity = AlarmSeverity.Minor, Precision = 3, RecordType = "ai" };

        // dbr_stsack_string: u16 status, severity, ackt, acks, then char value[40]; 48 bytes, already a multiple of 8.
        var (stsack, count) = DbrCodec.Encode(DbrType.StatusAck, value);
        Assert.Equal(1u, count);
        Assert.Equal(48, stsack.Length);
        Assert.Equal(new byte[] { 0, 3, 0, 2, 0, 1, 0, 1 }, stsack[..8]);
        Assert.Equal("12.500", System.Text.Encoding.ASCII.GetString(stsack, 8, 6));
        Assert.Equal(0, stsack[14]);

        // dbr_class_name_t: the record type as one 40-character string, whatever the value.
        var (className, one) = DbrCodec.Encode(DbrType.ClassName, value);
        Assert.Equal((40, 1u), (className.Length, one));
        Assert.Equal("ai", DbrCodec.Decode(DbrType.ClassName, 1, className).Value);
        Assert.Equal("DBR_STSACK_STRING 37, DBR_CLASS_NAME 38", $"{DbrType.StatusAck} {DbrType.StatusAck.Code}, {DbrType.ClassName} {DbrType.ClassName.Code}");
        Assert.False(DbrType.TryFromCode(DbrType.PutAckTransient, out _));
        Assert.False(DbrType.TryFromCode(39, out _));
    }

    /// <summary>A value carrying exactly the fields <paramref name="dbr"/> has, in values every field type can hold.</summary>
    private static DbrValue Sample(DbrType dbr, int count)
    {
        var values = CaValueConverter.Convert(Enumerable.Range(1, count).Select(i => (double)(i * 3)).ToArray(),
            CaType.Double, dbr.Type, [], 0);
        var value = new DbrValue(dbr.Type, values);
        if (dbr.Class == DbrClass.Plain) return value;
        if (dbr.Class == DbrClass.ClassName) return new DbrValue(CaType.String, new[] { "longin" }) { RecordType = "longin" };
        value = value with { Status = 3, Severity = AlarmSeverity.Major };
        if (dbr.Class == DbrClass.StatusAck) return value with { AckTransient = true, AckSeverity = AlarmSeverity.Invalid };
        if (dbr.Class == DbrClass.Time) return value with { Timestamp = Stamp };
        if (dbr.Class == DbrClass.Status || dbr.Type == CaType.String) return value;
        if (dbr.Type == CaType.Enum) return value with { EnumStrings = ["Off", "On", "Ramp", "a label of 25 characters"] };
        var control = dbr.Class == DbrClass.Control;
        return value with
        {
            Units = "V",
            Precision = dbr.Type is CaType.Float or CaType.Double ? (short)3 : (short)0,
            Limits = new DbrLimits(100, 2, 90, 80, 10, 5, control ? 95 : 0, control ? 1 : 0),
        };
    }

    [Fact]
    public void A_short_string_payload_from_libca_decodes()
    {
        var decoded = DbrCodec.Decode(new DbrType(CaType.String, DbrClass.Plain), 1, "On\0\0\0\0\0\0"u8);
        Assert.Equal("On", decoded.Value);
    }

    [Fact]
    public void Requested_type_and_count_convert_and_zero_fill()
    {
        var enumValue = new DbrValue(CaType.Enum, new ushort[] { 1 }) { EnumStrings = ["Off", "On"] };
        var (payload, _) = DbrCodec.Encode(new DbrType(CaType.String, DbrClass.Plain), enumValue);
        Assert.Equal("On", DbrCodec.Decode(new DbrType(CaType.String, DbrClass.Plain), 1, payload).Value);

        var array = new DbrValue(CaType.Double, new[] { 1.5, 2.5 });
        var (longs, count) = DbrCodec.Encode(new DbrType(CaType.Long, DbrClass.Plain), array, 4);
        Assert.Equal(new[] { 1, 2, 0, 0 }, DbrCodec.Decode(new DbrType(CaType.Long, DbrClass.Plain), count, longs).Values);
    }

    [Fact]
    public void Strings_convert_to_enums_by_label_or_number_and_refuse_garbage()
    {
        string[] labels = ["Off", "On"];
        Assert.Equal((ushort)1, CaValueConverter.ConvertElement("On", CaType.String, CaType.Enum, labels, 0));
        Assert.Equal((ushort)0, CaValueConverter.ConvertElement("0", CaType.String, CaType.Enum, labels, 0));
        var error = Assert.Throws<CaException>(() => CaValueConverter.ConvertElement("Maybe", CaType.String, CaType.Enum, labels, 0));
        Assert.Equal(CaStatus.NoConvert, error.Status);
    }

    [Fact]
    public void Clr_values_map_to_ca_types()
    {
        Assert.Equal(CaType.Long, CaValueConverter.FromClr(3).Type);
        Assert.Equal(CaType.Enum, CaValueConverter.FromClr((ushort)1).Type);
        var (type, values) = CaValueConverter.FromClr(new[] { true, false });
        Assert.Equal(CaType.Double, type);
        Assert.Equal(new[] { 1.0, 0.0 }, values);
        Assert.Equal(new[] { 5_000_000_000.0 }, CaValueConverter.FromClr(5_000_000_000L).Values);
        Assert.Throws<ArgumentException>(() => CaValueConverter.FromClr(new object()));
    }
}
