using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Tests.Caen;

public class SimulatedCaenCrateTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly SimulatedCaenCrate _crate;

    public SimulatedCaenCrateTests() => _crate = new SimulatedCaenCrate("cleanroom", _clock);

    private string Pv(int board, int channel, string field) => CaenPvNames.Channel("cleanroom", board, channel, field);
    private object Get(int board, int channel, string field) => _crate.Find(Pv(board, channel, field))!.Value;
    private double Volts(int board, int channel) => (double)Get(board, channel, "VMon");
    private double Amps(int board, int channel) => (double)Get(board, channel, "IMon");
    private int Status(int board, int channel) => (int)Get(board, channel, "Status");

    private void Put(int board, int channel, string field, object value) =>
        Assert.Null(_crate.Find(Pv(board, channel, field))!.Put(value));

    /// <summary>Lets simulated time pass in ticks of 100 ms, as the crate's own loop would.</summary>
    private void Run(double seconds)
    {
        for (var t = 0; t < Math.Round(seconds * 10); t++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            _crate.Tick();
        }
    }

    [Fact]
    public void Every_channel_of_the_SY4527_is_there_with_its_fields()
    {
        Assert.Equal(40 * 14 + 48 * 14 + 1, _crate.ProcessVariables.Count);
        Assert.NotNull(_crate.Find("cleanroom:00:007:Temp"));
        Assert.NotNull(_crate.Find("cleanroom:15:011:PDwn"));
        Assert.NotNull(_crate.Find("cleanroom:ClearAlarm"));
        Assert.Null(_crate.Find("cleanroom:05:000:VMon"));
        Assert.Null(_crate.Find("cleanroom:12:000:Temp"));
        Assert.Equal(["Off", "On"], _crate.Find(Pv(12, 0, "Pw"))!.EnumStrings);
        Assert.Equal("µA", _crate.Find(Pv(12, 0, "IMon"))!.Units);
        Assert.Equal("A", _crate.Find(Pv(0, 0, "IMon"))!.Units);
        Assert.All(_crate.ProcessVariables.Where(pv => pv.Name.EndsWith(":Status")), pv => Assert.Equal(0, pv.Value));
    }

    [Fact]
    public void Every_value_is_held_in_its_native_CLR_type_as_the_CA_server_expects()
    {
        foreach (var pv in _crate.ProcessVariables) pv.Put(pv.Type == CaType.String ? "No" : 1);
        Run(0.5);
        var native = new Dictionary<CaType, Type>
        {
            [CaType.Double] = typeof(double), [CaType.Long] = typeof(int), [CaType.Enum] = typeof(ushort), [CaType.String] = typeof(string),
        };
        Assert.All(_crate.ProcessVariables, pv => Assert.IsType(native[pv.Type], pv.Value));
    }

    [Fact]
    public void HV_ramps_up_and_down_at_the_set_speeds()
    {
        Put(12, 3, "V0Set", 200.0);
        Put(12, 3, "RUp", 50.0);
        Put(12, 3, "RDWn", 100.0);
        Put(12, 3, "Pw", "On");

        Run(2);
        Assert.Equal(100, Volts(12, 3), 0.01);
        Assert.Equal((int)(CaenStatus.On | CaenStatus.RampingUp), Status(12, 3));
        Run(2.5);
        Assert.Equal(200, Volts(12, 3), 0.01);
        Assert.Equal((int)CaenStatus.On, Status(12, 3));
        Assert.Equal(200 / SimulatedChannel.DefaultHvLoadMegaohms, Amps(12, 3), 0.01);

        Put(12, 3, "Pw", (ushort)0);
        Run(1);
        Assert.Equal(100, Volts(12, 3), 0.01);
        Assert.Equal((int)(CaenStatus.On | CaenStatus.RampingDown), Status(12, 3));
        Run(1.5);
        Assert.Equal(0, Volts(12, 3), 0.01);
        Assert.Equal(0, Status(12, 3));
    }

    [Fact]
    public void LV_ramps_over_its_ramp_time()
    {
        Put(0, 1, "V0Set", 12.0);
        Put(0, 1, "RUpTime", 1000.0);
        Put(0, 1, "Pw", 1);

        Run(0.5);
        Assert.Equal(6, Volts(0, 1), 0.01);
        Assert.Equal((int)(CaenStatus.On | CaenStatus.RampingUp), Status(0, 1));
        Run(1);
        Assert.Equal(12, Volts(0, 1), 0.01);
        Assert.Equal(12 / SimulatedChannel.DefaultLvLoadOhms, Amps(0, 1), 0.01);
        Assert.Equal(1, Status(0, 1));
        Assert.InRange((double)Get(0, 1, "Temp"), 25, 40);
    }

    /// <summary>200 V into 10 MΩ draws 20 µA against a 10 µA limit: over-current from 100 V on, reached after 0.2 s.</summary>
    private void OverloadHv(TripMode mode)
    {
        Put(13, 5, "V0Set", 200.0);
        Put(13, 5, "RUp", 500.0);
        Put(13, 5, "RDWn", 50.0);
        Put(13, 5, "I0Set", 10.0);
        Put(13, 5, "Trip", 2.0);
        Put(13, 5, "PDwn", mode.ToString());
        _crate.SetLoad(13, 5, 10);
        Put(13, 5, "Pw", "On");
    }

    [Fact]
    public void Over_current_for_Trip_seconds_trips_and_kills()
    {
        OverloadHv(TripMode.Kill);

        Run(2);
        Assert.Equal((int)(CaenStatus.On | CaenStatus.OverCurrent), Status(13, 5));
        Assert.Equal(10, Amps(13, 5), 0.01);    // the supply limits the current at I0Set

        Run(0.3);   // 2 s (Trip) after the over-current began at 0.2 s
        Assert.Equal((int)CaenStatus.InternalTrip, Status(13, 5));
        Assert.Equal(0, Volts(13, 5), 0.01);
        Assert.Equal(0, Amps(13, 5), 0.01);
        Assert.Equal((ushort)0, Get(13, 5, "Pw"));
    }

    [Fact]
    public void A_trip_in_Ramp_mode_ramps_down_at_RDWn()
    {
        OverloadHv(TripMode.Ramp);
        Run(2.3);   // 2 s (Trip) after the over-current began at 0.2 s
        Assert.Equal((int)(CaenStatus.On | CaenStatus.RampingDown | CaenStatus.InternalTrip), Status(13, 5));
        var tripped = Volts(13, 5);
        Assert.InRange(tripped, 190, 200);
        Run(1);
        Assert.Equal(tripped - 50, Volts(13, 5), 0.01);
        Run(4);
        Assert.Equal((int)CaenStatus.InternalTrip, Status(13, 5));
    }

    [Fact]
    public void HV_output_never_exceeds_SVMax_and_bit_7_shows_the_board_limiting()
    {
        Assert.Equal(CaenBoards.HvMaxVolts, Get(12, 6, "SVMax"));   // as delivered: the rating only
        Put(12, 6, "SVMax", 300.0);
        Put(12, 6, "V0Set", 400.0);
        Put(12, 6, "RUp", 200.0);
        Assert.Equal(0, Status(12, 6));   // bit 7 only while on
        Put(12, 6, "Pw", "On");

        var highest = 0.0;
        for (var t = 0; t < 30; t++)
        {
            Run(0.1);
            highest = Math.Max(highest, Volts(12, 6));
        }
        Assert.InRange(highest, 299.99, 300.01);
        Assert.Equal((int)(CaenStatus.On | CaenStatus.AtMaxV), Status(12, 6));
        Assert.Equal(400.0, Get(12, 6, "V0Set"));   // the set point stays what was asked

        // Lowering SVMax under the output ramps it down to the new limit; a set point under it ends bit 7.
        Put(12, 6, "SVMax", 250.0);
        Run(1);
        Assert.Equal(250, Volts(12, 6), 0.01);
        Put(12, 6, "V0Set", 200.0);
        Run(1);
        Assert.Equal(200, Volts(12, 6), 0.01);
        Assert.Equal((int)CaenStatus.On, Status(12, 6));
        Assert.Contains("outside 0–1000 V", _crate.Find(Pv(12, 6, "SVMax"))!.Put(1200.0));
    }

    [Fact]
    public void An_LV_regulation_fault_sets_over_and_under_voltage_until_it_is_repaired()
    {
        Put(0, 4, "V0Set", 12.0);
        Put(0, 4, "OVVThr", 15.0);
        Put(0, 4, "UNVThr", 10.0);
        Put(0, 4, "RUpTime", 1000.0);
        _crate.SetDrift(0, 4, -3);
        Put(0, 4, "Pw", "On");

        // On the way up every output is under UNVThr: the board says under-voltage only once the ramp is over.
        Run(0.5);
        Assert.Equal((int)(CaenStatus.On | CaenStatus.RampingUp), Status(0, 4));
        Run(1);
        Assert.Equal(9, Volts(0, 4), 0.01);
        Assert.Equal((int)(CaenStatus.On | CaenStatus.UnderVoltage), Status(0, 4));
        Assert.Equal(9 / SimulatedChannel.DefaultLvLoadOhms, Amps(0, 4), 0.01);

        _crate.SetDrift(0, 4, 4);
        Assert.Equal(16, Volts(0, 4), 0.01);
        Assert.Equal((int)(CaenStatus.On | CaenStatus.OverVoltage), Status(0, 4));

        // Not latched: the repaired regulator clears the bits without ClearAlarm.
        _crate.SetDrift(0, 4, 0);
        Assert.Equal(12, Volts(0, 4), 0.01);
        Assert.Equal((int)CaenStatus.On, Status(0, 4));

        // A drift offsets an output that is on; off, the channel reads zero.
        _crate.SetDrift(0, 4, 4);
        Put(0, 4, "Pw", "Off");
        Run(1);
        Assert.Equal(0, Volts(0, 4), 0.01);
        Assert.Equal(0, Status(0, 4));

        Assert.Throws<ArgumentOutOfRangeException>(() => _crate.SetDrift(12, 0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => _crate.SetDrift(0, 8, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => _crate.SetDrift(0, 4, double.NaN));
    }

    [Fact]
    public void ClearAlarm_clears_the_trip_and_only_then_allows_power_on()
    {
        Put(0, 2, "Pw", "On");
        Run(1);
        _crate.Trip(0, 2);
        Assert.Equal((int)CaenStatus.InternalTrip, Status(0, 2));
        Assert.Contains("clear the alarm first", _crate.Find(Pv(0, 2, "Pw"))!.Put("On"));

        var clear = _crate.Find("cleanroom:ClearAlarm")!;
        Assert.Contains("put 'Yes'", clear.Put("Maybe"));
        Assert.Equal((int)CaenStatus.InternalTrip, Status(0, 2));
        Assert.Null(clear.Put("Yes"));
        Assert.Equal(0, Status(0, 2));
        Put(0, 2, "Pw", "On");
        Run(1);
        Assert.Equal(1, Status(0, 2));
    }

    [Fact]
    public void An_unplugged_board_reads_zero_with_bit_11_and_cannot_be_powered()
    {
        Put(12, 0, "V0Set", 100.0);
        Put(12, 0, "Pw", "On");
        Run(3);
        _crate.Unplug(12);
        Assert.Equal((int)CaenStatus.Unplugged, Status(12, 0));
        Assert.Equal((int)CaenStatus.Unplugged, Status(12, 11));
        Assert.Equal(0.0, Volts(12, 0));
        Assert.Equal(0.0, Amps(12, 0));
        Assert.Equal(0, Status(13, 0));
        Assert.Contains("unplugged", _crate.Find(Pv(12, 0, "Pw"))!.Put("On"));

        _crate.Unplug(12, unplugged: false);
        Assert.Equal(0, Status(12, 0));
        Put(12, 0, "Pw", "On");
        Run(0.5);
        Assert.Equal((int)(CaenStatus.On | CaenStatus.RampingUp), Status(12, 0));
    }

    [Theory]
    [InlineData("cleanroom:12:000:V0Set", 1200.0, "outside 0–1000 V")]
    [InlineData("cleanroom:00:000:V0Set", 17.0, "outside 0–16 V")]
    [InlineData("cleanroom:12:000:V0Set", "twelve", "not a number")]
    [InlineData("cleanroom:12:000:Pw", "Maybe", "not one of Off, On")]
    [InlineData("cleanroom:12:000:Pw", 2, "not one of Off, On")]
    [InlineData("cleanroom:12:000:ImRange", "Medium", "not one of High, Low")]
    [InlineData("cleanroom:12:000:VMon", 5.0, "read-only")]
    public void A_bad_put_is_refused_with_a_reason_and_changes_nothing(string name, object value, string reason)
    {
        var pv = _crate.Find(name)!;
        var before = pv.Value;
        Assert.Contains(reason, pv.Put(value));
        Assert.Equal(before, pv.Value);
    }

    [Fact]
    public void Noise_stays_inside_the_monitor_dead_bands()
    {
        Put(12, 1, "V0Set", 300.0);
        Put(12, 1, "RUp", 500.0);
        Put(12, 1, "ImRange", "Low");
        Put(12, 1, "Pw", "On");
        Put(0, 0, "Pw", "On");
        Run(1);
        Assert.Equal(0.01, _crate.MonitorDeadBand(Pv(12, 1, "VMon")));
        Assert.Equal(0.001, _crate.MonitorDeadBand(Pv(12, 1, "IMon")));
        Assert.Equal(0.01, _crate.MonitorDeadBand(Pv(12, 2, "IMon")));
        Assert.Equal(2, _crate.MonitorDeadBand(Pv(0, 0, "Temp")));
        Assert.Equal(0, _crate.MonitorDeadBand(Pv(0, 0, "Status")));
        Assert.Null(_crate.MonitorDeadBand(Pv(0, 0, "V0Set")));

        var (v, i, t) = (Volts(12, 1), Amps(12, 1), (double)Get(0, 0, "Temp"));
        for (var tick = 0; tick < 50; tick++)
        {
            Run(0.1);
            Assert.InRange(Volts(12, 1), v - 0.01, v + 0.01);
            Assert.InRange(Amps(12, 1), i - 0.001, i + 0.001);
            Assert.InRange((double)Get(0, 0, "Temp"), t - 2, t + 2);
        }
    }

    [Fact]
    public void The_tick_loop_runs_on_the_time_providers_timer_until_stopped()
    {
        Put(12, 4, "V0Set", 100.0);
        Put(12, 4, "RUp", 10.0);
        Put(12, 4, "Pw", "On");
        _crate.Start(TimeSpan.FromMilliseconds(100));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, Volts(12, 4), 0.01);

        _crate.Stop();
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, Volts(12, 4), 0.01);
    }
}
