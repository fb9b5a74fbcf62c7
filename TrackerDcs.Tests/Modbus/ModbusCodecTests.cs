using TrackerDcs.Hardware.Modbus;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Modbus;

/// <summary>The codec and the frame reader, in memory: every message type both ways, the specification's examples, malformed frames.</summary>
public class ModbusCodecTests(ITestOutputHelper output)
{
    public enum Side { Request, Response }

    public static TheoryData<Side, ModbusFrame> EveryMessage => new()
    {
        { Side.Request, new(1, 1, new ReadHoldingRegistersRequest(100, 66)) },
        { Side.Request, new(0xFFFF, 255, new ReadHoldingRegistersRequest(65535, 1)) },
        { Side.Request, new(7, 0, new ReadHoldingRegistersRequest(0, ModbusCodec.MaxReadCount)) },
        { Side.Response, new(2, 1, new ReadHoldingRegistersResponse([0x1234, 0xABCD, 0, 0xFFFF])) },
        { Side.Response, new(3, 1, new ReadHoldingRegistersResponse(Enumerable.Range(0, ModbusCodec.MaxReadCount).Select(i => (ushort)(i * 517)).ToArray())) },
        { Side.Request, new(4, 1, new WriteMultipleRegistersRequest(310, [0x0000, 0xC1A0])) },
        { Side.Request, new(5, 9, new WriteMultipleRegistersRequest(65413, Enumerable.Range(0, ModbusCodec.MaxWriteCount).Select(i => (ushort)i).ToArray())) },
        { Side.Response, new(6, 1, new WriteMultipleRegistersResponse(305, 1)) },
        { Side.Response, new(8, 1, new ModbusExceptionResponse(ModbusFunction.ReadHoldingRegisters, ModbusExceptionCode.IllegalDataAddress)) },
        { Side.Response, new(9, 1, new ModbusExceptionResponse(ModbusFunction.WriteMultipleRegisters, ModbusExceptionCode.ServerDeviceBusy)) },
        { Side.Response, new(10, 1, new ModbusExceptionResponse((ModbusFunction)0x2B, ModbusExceptionCode.IllegalFunction)) },
    };

    [Theory]
    [MemberData(nameof(EveryMessage))]
    public void Every_message_type_survives_encoding_and_decoding_whole_and_byte_by_byte(Side side, ModbusFrame frame)
    {
        var bytes = ModbusCodec.Encode(frame);
        Assert.Equal(frame.Pdu is ReadHoldingRegistersResponse r ? 9 + 2 * r.Registers.Length : bytes.Length, bytes.Length);

        Assert.Equal(frame, Decode(side, bytes));

        var reader = new ModbusFrameReader();
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            reader.Append(bytes.AsSpan(i, 1));
            Assert.False(TryRead(reader, side, out _), $"a frame after {i + 1} of {bytes.Length} bytes");
        }
        reader.Append(bytes.AsSpan(^1));
        Assert.True(TryRead(reader, side, out var decoded));
        Assert.Equal(frame, decoded);
        Assert.Equal(0, reader.Buffered);
    }

    [Fact]
    public void The_specifications_examples_encode_to_their_bytes()
    {
        // Application protocol 6.3: read 3 registers from 108 (address 107 = 0x6B); the answer holds 555, 0, 100.
        AssertBytes(new ReadHoldingRegistersRequest(107, 3), "03 00 6B 00 03");
        AssertBytes(new ReadHoldingRegistersResponse([0x022B, 0x0000, 0x0064]), "03 06 02 2B 00 00 00 64");
        // 6.12: write 0x000A and 0x0102 to registers 2 and 3 (address 1).
        AssertBytes(new WriteMultipleRegistersRequest(1, [0x000A, 0x0102]), "10 00 01 00 02 04 00 0A 01 02");
        AssertBytes(new WriteMultipleRegistersResponse(1, 2), "10 00 01 00 02");
        // 7: the function code with 0x80 added, then the exception code.
        AssertBytes(new ModbusExceptionResponse(ModbusFunction.ReadHoldingRegisters, ModbusExceptionCode.IllegalDataAddress), "83 02");

        // TCP guide 3.1.3: transaction id, protocol id 0, length = unit id + PDU, unit id.
        Assert.Equal(Hex("12 34 00 00 00 06 11 03 00 6B 00 03"), ModbusCodec.Encode(new(0x1234, 0x11, new ReadHoldingRegistersRequest(107, 3))));
    }

    private static void AssertBytes(ModbusPdu pdu, string expected) =>
        Assert.Equal(Hex(expected), ModbusCodec.Encode(new(1, 1, pdu))[MbapHeader.Size..]);

    [Theory]
    [InlineData("00 01 00 01 00 06 01 03 00 00 00 01", "protocol identifier 0x0001, not 0")]
    [InlineData("00 01 00 00 00 01 01", "MBAP length 1")]
    [InlineData("00 01 00 00 00 00 01", "MBAP length 0")]
    [InlineData("00 01 00 00 00 FF 01 03", "MBAP length 255")]
    [InlineData("00 01 00 00 00 04 01 03 04 00", "byte count 4 but 1 data bytes")]
    [InlineData("00 01 00 00 00 05 01 03 03 00 01", "byte count 3 is not 2")]
    [InlineData("00 01 00 00 00 03 01 03 00", "byte count 0 is not 2")]
    [InlineData("00 01 00 00 00 02 01 03", "no byte count")]
    [InlineData("00 01 00 00 00 05 01 10 00 01 00", "a write response is 5 bytes")]
    [InlineData("00 01 00 00 00 06 01 10 00 01 00 00", "quantity 0 is not 1…123")]
    [InlineData("00 01 00 00 00 04 01 83 02 00", "an exception response is 2 bytes")]
    [InlineData("00 01 00 00 00 03 01 06 00", "not a function this client sends")]
    public void A_malformed_response_is_refused_saying_what_is_wrong(string hex, string expected)
    {
        var e = Assert.Throws<ModbusProtocolException>(() => Decode(Side.Response, Hex(hex)));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("00 07 00 00 00 06 01 03 00 00 00 00", ModbusExceptionCode.IllegalDataValue, "1 to 125 registers, not 0")]
    [InlineData("00 07 00 00 00 06 01 03 00 00 00 7E", ModbusExceptionCode.IllegalDataValue, "1 to 125 registers, not 126")]
    [InlineData("00 07 00 00 00 05 01 03 00 00 00", ModbusExceptionCode.IllegalDataValue, "5 bytes, not 4")]
    [InlineData("00 07 00 00 00 06 01 03 FF FF 00 02", ModbusExceptionCode.IllegalDataAddress, "run past 65535")]
    [InlineData("00 07 00 00 00 09 01 10 00 00 00 02 02 00 01", ModbusExceptionCode.IllegalDataValue, "byte count of 4")]
    [InlineData("00 07 00 00 00 08 01 10 00 00 00 7C F8 00", ModbusExceptionCode.IllegalDataValue, "1 to 123 registers, not 124")]
    [InlineData("00 07 00 00 00 06 01 06 00 01 00 03", ModbusExceptionCode.IllegalFunction, "functions 0x03 and 0x10 only")]
    public void A_request_a_server_must_refuse_names_the_exception_to_answer_and_is_consumed(string hex, ModbusExceptionCode code, string expected)
    {
        var reader = new ModbusFrameReader();
        reader.Append(Hex(hex));
        var good = ModbusCodec.Encode(new(8, 1, new ReadHoldingRegistersRequest(1, 1)));
        reader.Append(good);

        var e = Assert.Throws<ModbusRequestException>(() => reader.TryReadRequest(out _));
        Assert.Equal(code, e.Code);
        Assert.Equal(7, e.Header.TransactionId);
        Assert.Contains(expected, e.Message);
        // The bad frame is gone; the next one reads normally.
        Assert.True(reader.TryReadRequest(out var next));
        Assert.Equal(new ReadHoldingRegistersRequest(1, 1), next.Pdu);
    }

    [Fact]
    public void A_request_with_an_exception_function_code_is_not_modbus()
    {
        var reader = new ModbusFrameReader();
        reader.Append(Hex("00 07 00 00 00 02 01 83"));
        Assert.Contains("is an exception response's, not a request's", Assert.Throws<ModbusProtocolException>(() => reader.TryReadRequest(out _)).Message);
    }

    [Fact]
    public void The_encoder_refuses_what_the_specification_does_not_allow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusCodec.Encode(new(1, 1, new ReadHoldingRegistersRequest(0, 126))));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusCodec.Encode(new(1, 1, new ReadHoldingRegistersRequest(0, 0))));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusCodec.Encode(new(1, 1, new ReadHoldingRegistersRequest(65500, 40))));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusCodec.Encode(new(1, 1, new WriteMultipleRegistersRequest(0, new ushort[124]))));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusCodec.Encode(new(1, 1, new WriteMultipleRegistersRequest(0, []))));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusCodec.Encode(new(1, 1, new ReadHoldingRegistersResponse(new ushort[126]))));
    }

    [Fact]
    public void Exception_codes_carry_the_specifications_names()
    {
        Assert.Equal("ILLEGAL DATA ADDRESS", ModbusExceptionCode.IllegalDataAddress.Name());
        Assert.Equal("GATEWAY TARGET DEVICE FAILED TO RESPOND", ModbusExceptionCode.GatewayTargetDeviceFailedToRespond.Name());
        Assert.Contains("0x07", ((ModbusExceptionCode)7).Name());
        var e = new ModbusServerException(ModbusFunction.ReadHoldingRegisters, ModbusExceptionCode.IllegalDataAddress, "read of 2 registers from 166");
        Assert.Equal("read of 2 registers from 166: the server answered ILLEGAL DATA ADDRESS (exception 0x02 to function 0x03)", e.Message);
    }

    /// <summary>
    /// Random valid frames, concatenated and cut at random places, come out whole and in order; random bytes
    /// either decode or are refused with a Modbus exception, never anything else (an index out of range would be a
    /// bug). The seed is printed so that a failure can be replayed.
    /// </summary>
    [Fact]
    public void Randomized_streams_decode_in_order_or_are_refused_cleanly()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var side = random.Next(2) == 0 ? Side.Request : Side.Response;
            var frames = Enumerable.Range(0, random.Next(1, 8)).Select(_ => RandomFrame(random, side)).ToList();
            var stream = frames.SelectMany(ModbusCodec.Encode).ToArray();
            var reader = new ModbusFrameReader();
            var decoded = new List<ModbusFrame>();
            for (var at = 0; at < stream.Length;)
            {
                var piece = Math.Min(random.Next(1, 40), stream.Length - at);
                reader.Append(stream.AsSpan(at, piece));
                at += piece;
                while (TryRead(reader, side, out var frame)) decoded.Add(frame);
            }
            Assert.Equal(frames, decoded);
            Assert.Equal(0, reader.Buffered);
        }

        for (var round = 0; round < 2000; round++)
        {
            var noise = new byte[random.Next(0, 300)];
            random.NextBytes(noise);
            // Often a plausible header, so that the PDU decoders see garbage too, not only the header check.
            if (noise.Length >= 7 && random.Next(2) == 0)
            {
                noise[2] = noise[3] = noise[4] = 0;
                noise[5] = (byte)Math.Min(noise.Length - 6, 254);
                noise[7 % noise.Length] = random.Next(3) switch { 0 => 0x03, 1 => 0x10, _ => 0x83 };
            }
            var reader = new ModbusFrameReader();
            reader.Append(noise);
            var side = random.Next(2) == 0 ? Side.Request : Side.Response;
            try
            {
                while (TryRead(reader, side, out _)) { }
            }
            catch (ModbusException) { }
        }
    }

    private static ModbusFrame RandomFrame(Random random, Side side)
    {
        var tid = (ushort)random.Next(0x10000);
        var unit = (byte)random.Next(256);
        ushort[] Words(int count) => Enumerable.Range(0, count).Select(_ => (ushort)random.Next(0x10000)).ToArray();
        ModbusPdu pdu = (side, random.Next(3)) switch
        {
            (Side.Request, 0 or 1) => new ReadHoldingRegistersRequest((ushort)random.Next(0x10000 - 125), (ushort)random.Next(1, 126)),
            (Side.Request, _) => new WriteMultipleRegistersRequest((ushort)random.Next(0x10000 - 123), Words(random.Next(1, 124))),
            (_, 0) => new ReadHoldingRegistersResponse(Words(random.Next(1, 126))),
            (_, 1) => new WriteMultipleRegistersResponse((ushort)random.Next(0x10000 - 123), (ushort)random.Next(1, 124)),
            _ => new ModbusExceptionResponse(random.Next(2) == 0 ? ModbusFunction.ReadHoldingRegisters : ModbusFunction.WriteMultipleRegisters, (ModbusExceptionCode)random.Next(1, 12)),
        };
        return new ModbusFrame(tid, unit, pdu);
    }

    private static ModbusFrame Decode(Side side, byte[] bytes)
    {
        var reader = new ModbusFrameReader();
        reader.Append(bytes);
        Assert.True(TryRead(reader, side, out var frame), "no complete frame");
        Assert.Equal(0, reader.Buffered);
        return frame;
    }

    private static bool TryRead(ModbusFrameReader reader, Side side, out ModbusFrame frame) =>
        side == Side.Request ? reader.TryReadRequest(out frame) : reader.TryReadResponse(out frame);

    internal static byte[] Hex(string text) => Convert.FromHexString(text.Replace(" ", ""));
}
