using TrackerDcs.Hardware.Modbus;

namespace TrackerDcs.Tests.Modbus;

/// <summary>Pairing responses with requests, in memory: anything that is not the answer to the request in flight is refused.</summary>
public class ModbusClientProtocolTests
{
    private static byte[] Answer(ushort tid, byte unit, ModbusPdu pdu) => ModbusCodec.Encode(new(tid, unit, pdu));

    [Fact]
    public void The_answer_to_the_request_in_flight_is_returned_once_complete_and_ids_count_up()
    {
        var protocol = new ModbusClientProtocol(unitId: 1, firstTransactionId: 41);
        var request = protocol.Send(new ReadHoldingRegistersRequest(100, 2));
        Assert.Equal(41, MbapHeader.Read(request).TransactionId);
        Assert.Throws<InvalidOperationException>(() => protocol.Send(new ReadHoldingRegistersRequest(100, 2)));

        var answer = Answer(41, 1, new ReadHoldingRegistersResponse([1, 2]));
        Assert.Null(protocol.Receive(answer.AsSpan(0, 5)));
        Assert.Equal(new ReadHoldingRegistersResponse([1, 2]), protocol.Receive(answer.AsSpan(5)));
        Assert.False(protocol.AwaitingResponse);
        Assert.Equal(42, MbapHeader.Read(protocol.Send(new WriteMultipleRegistersRequest(305, [1]))).TransactionId);
        Assert.Equal(new ModbusExceptionResponse(ModbusFunction.WriteMultipleRegisters, ModbusExceptionCode.IllegalDataAddress),
            protocol.Receive(Answer(42, 1, new ModbusExceptionResponse(ModbusFunction.WriteMultipleRegisters, ModbusExceptionCode.IllegalDataAddress))));
    }

    [Fact]
    public void Transaction_ids_wrap_around()
    {
        var protocol = new ModbusClientProtocol(1, 0xFFFF);
        protocol.Send(new ReadHoldingRegistersRequest(0, 1));
        protocol.Receive(Answer(0xFFFF, 1, new ReadHoldingRegistersResponse([0])));
        Assert.Equal(0, protocol.NextTransactionId);
    }

    public static TheoryData<ModbusPdu, byte[], string> NotTheAnswer => new()
    {
        { new ReadHoldingRegistersRequest(100, 2), Answer(6, 1, new ReadHoldingRegistersResponse([1, 2])), "a response to transaction 6 arrived while transaction 5 was in flight" },
        { new ReadHoldingRegistersRequest(100, 2), Answer(5, 2, new ReadHoldingRegistersResponse([1, 2])), "was for unit 1 but unit 2 answered" },
        { new ReadHoldingRegistersRequest(100, 2), Answer(5, 1, new WriteMultipleRegistersResponse(100, 2)), "was function 0x03 but the response is for 0x10" },
        { new ReadHoldingRegistersRequest(100, 2), Answer(5, 1, new ReadHoldingRegistersResponse([1, 2, 3])), "2 registers were asked for and 3 came back" },
        { new WriteMultipleRegistersRequest(310, [1, 2]), Answer(5, 1, new WriteMultipleRegistersResponse(312, 2)), "the server confirms 2 from 312" },
        { new ReadHoldingRegistersRequest(100, 1), [.. Answer(5, 1, new ReadHoldingRegistersResponse([1])), .. Answer(6, 1, new ReadHoldingRegistersResponse([1]))], "more bytes arrived after the response" },
    };

    [Theory]
    [MemberData(nameof(NotTheAnswer))]
    public void Anything_but_the_answer_to_the_request_in_flight_is_a_protocol_error(ModbusPdu request, byte[] received, string expected)
    {
        var protocol = new ModbusClientProtocol(1, 5);
        protocol.Send(request);
        Assert.Contains(expected, Assert.Throws<ModbusProtocolException>(() => protocol.Receive(received)).Message);
    }

    [Fact]
    public void A_response_with_no_request_in_flight_is_a_protocol_error()
    {
        var protocol = new ModbusClientProtocol(1);
        Assert.Contains("no request in flight", Assert.Throws<ModbusProtocolException>(() => protocol.Receive(Answer(1, 1, new ReadHoldingRegistersResponse([1])))).Message);
    }
}
