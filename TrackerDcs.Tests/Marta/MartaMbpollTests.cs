using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.Marta;
using TrackerDcs.Tests.Support;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Marta;

/// <summary>
/// mbpoll (libmodbus, Debian) as a client of our simulator: it reads the float32 registers with its default word
/// order, little endian (the low word first, as the seed's map has them; -B would be big endian), and gets the
/// values the device shows. The simulated plant runs on a frozen fake clock, so its values (noise included) hold
/// still between the device's read and mbpoll's.
/// </summary>
public class MartaMbpollTests(ITestOutputHelper output)
{
    private static Task<ProcessResult> Mbpoll(int port, params string[] args) =>
        ProcessRunner.RunAsync("mbpoll", ["-m", "tcp", "-p", port.ToString(CultureInfo.InvariantCulture), "-a", "1", "-0", "-1", "-o", "5", .. args, "127.0.0.1"],
            timeout: TimeSpan.FromSeconds(30));

    /// <summary>"[100]: \t12.2" lines: reference → value.</summary>
    private static Dictionary<int, double> Values(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Split('\n').Where(l => l.StartsWith('[')).ToDictionary(
            l => int.Parse(l[1..l.IndexOf(']')], CultureInfo.InvariantCulture),
            l => double.Parse(l[(l.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task mbpoll_reads_the_simulators_float32_registers_as_the_device_shows_them()
    {
        var clock = new FakeTimeProvider();
        var map = MartaRegisterMapTests.SeedMap();
        await using var simulator = new MartaSimulator(map, new MartaSimulatorOptions { Noise = 0.05 }, clock);
        simulator.WriteAtPanel("set_temperature_setpoint", -18.3);
        simulator.WriteAtPanel("set_start_chiller", 1);
        simulator.WriteAtPanel("set_start_co2", 1);
        clock.Advance(TimeSpan.FromMinutes(3)); // part-way: every value different, then frozen
        await using var rig = new MartaRig(simulator.EndPoint.Port);
        await rig.WaitForState(MartaState.Co2Running);
        var shown = rig.Device.Snapshot.Values;

        var checkedValues = 0;
        foreach (var chunk in map.ReadPlan)
        {
            var floats = map.Registers.Where(r => r.Type == MartaRegisterType.Float32 && r.Address >= chunk.Address && r.Address < chunk.Address + chunk.Count).ToList();
            if (floats.Count == 0) continue;
            var args = new[] { "-t", "4:float", "-r", chunk.Address.ToString(CultureInfo.InvariantCulture), "-c", floats.Count.ToString(CultureInfo.InvariantCulture) };
            output.WriteLine($"mbpoll {string.Join(' ', args)}");
            var read = Values(await Mbpoll(simulator.EndPoint.Port, args));
            foreach (var register in floats)
            {
                var device = (float)shown[register.Name].Number;
                // mbpoll prints %g: six significant digits.
                Assert.True(Math.Abs(read[register.Address] - device) <= 5e-6 * Math.Abs(device) + 1e-30,
                    $"{register.Name} at {register.Address}: mbpoll {read[register.Address]}, device {device}");
                checkedValues++;
            }
        }
        Assert.Equal(58, checkedValues);
        Assert.Equal(-18.3f, (float)shown["temperature_setpoint"].Number);

        // The other word order gives other numbers: the agreement above is not an accident of symmetric words.
        var swapped = Values(await Mbpoll(simulator.EndPoint.Port, "-t", "4:float", "-B", "-r", "134", "-c", "1"));
        Assert.NotEqual((float)shown["TT05_CO2"].Number, swapped[134], 3);

        var status = Values(await Mbpoll(simulator.EndPoint.Port, "-t", "4", "-r", "320", "-c", "1"));
        Assert.Equal(2, status[320]);
    }
}
