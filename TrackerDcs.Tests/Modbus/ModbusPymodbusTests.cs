using TrackerDcs.Hardware.Modbus;

namespace TrackerDcs.Tests.Modbus;

/// <summary>Our client against Debian's pymodbus server, a Modbus implementation no one here wrote.</summary>
public class ModbusPymodbusTests
{
    private static ModbusTcpClient Client(PymodbusPlant plant, byte unit = 1) =>
        new("127.0.0.1", plant.Port, unit, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Reads_what_pymodbus_holds_and_writes_what_pymodbus_reads_back()
    {
        await using var plant = await PymodbusPlant.StartAsync();
        await using var client = Client(plant);
        await plant.SetAsync(100, 0x1234, 0xABCD, 0, 65535);

        Assert.Equal([0x1234, 0xABCD, 0, 65535], await client.ReadHoldingRegistersAsync(100, 4));

        await client.WriteMultipleRegistersAsync(310, [0x0000, 0xC1A0, 0x8001]);
        Assert.Equal([0x0000, 0xC1A0, 0x8001], await plant.GetAsync(310, 3));
    }

    [Fact]
    public async Task The_largest_read_and_write_the_specification_allows()
    {
        await using var plant = await PymodbusPlant.StartAsync();
        await using var client = Client(plant);
        var values = Enumerable.Range(0, ModbusCodec.MaxWriteCount).Select(i => (ushort)(i * 511)).ToArray();
        await client.WriteMultipleRegistersAsync(400, values);
        Assert.Equal(values, await plant.GetAsync(400, values.Length));
        var read = await client.ReadHoldingRegistersAsync(400, ModbusCodec.MaxReadCount);
        Assert.Equal(values, read[..values.Length]);
    }

    [Fact]
    public async Task An_address_pymodbus_does_not_hold_is_its_exception_response()
    {
        await using var plant = await PymodbusPlant.StartAsync();
        await using var client = Client(plant);
        var e = await Assert.ThrowsAsync<ModbusServerException>(() => client.ReadHoldingRegistersAsync(990, 20));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.Code);
        Assert.True(client.IsConnected);
        await plant.SetAsync(0, 9);
        Assert.Equal([9], await client.ReadHoldingRegistersAsync(0, 1));
    }

    [Fact]
    public async Task A_stopped_server_fails_the_request_and_the_client_connects_again_once_it_is_back()
    {
        await using var plant = await PymodbusPlant.StartAsync();
        await using var client = Client(plant);
        await plant.SetAsync(5, 55);
        Assert.Equal([55], await client.ReadHoldingRegistersAsync(5, 1));

        await plant.StopAsync();
        await Assert.ThrowsAnyAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(5, 1));
        await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(5, 1));

        await plant.StartAgainAsync();
        Assert.Equal([55], await client.ReadHoldingRegistersAsync(5, 1));
    }
}
