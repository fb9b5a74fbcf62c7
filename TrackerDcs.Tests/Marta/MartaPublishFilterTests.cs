using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.Marta;

namespace TrackerDcs.Tests.Marta;

/// <summary>The seed's publishing rules, with a fake clock: deadbands, the state, forced publishes, nothing cached while disconnected.</summary>
public class MartaPublishFilterTests
{
    private readonly MartaRegisterMap _map = MartaRegisterMap.Parse("""
        registers:
            TT05_CO2: { type: float32, address: 134, deadband: 0.2 }
            LP_speed: { type: float32, address: 200, deadband: 0. }
            set_start_chiller: { type: bool, address: 305, bit: 0, input: true, deadband: 0 }
            status: { address: 320, deadband: 0 }
        """, "test.yml");
    private readonly FakeTimeProvider _clock = new();

    private static MartaSnapshot Snapshot(double tt05, double speed = 0, bool chiller = false, MartaState state = MartaState.Connected, bool live = true, long generation = 1) =>
        new(state, live, DateTimeOffset.UnixEpoch, new Dictionary<string, MartaValue>
        {
            ["TT05_CO2"] = new(MartaRegisterType.Float32, tt05),
            ["LP_speed"] = new(MartaRegisterType.Float32, speed),
            ["set_start_chiller"] = new(MartaRegisterType.Bool, chiller ? 1 : 0),
            ["status"] = new(MartaRegisterType.Int, 1),
        }, [], generation, null);

    private MartaPublishFilter Filter() => new(_map, TimeSpan.FromMinutes(10), _clock);

    [Fact]
    public void The_first_snapshot_publishes_everything_with_the_state()
    {
        var first = Filter().Next(Snapshot(20))!;
        Assert.True(first.Full);
        Assert.Equal(MartaState.Connected, first.State);
        Assert.Equal(["TT05_CO2", "LP_speed", "set_start_chiller", "status"], first.Values.Keys);
    }

    [Fact]
    public void A_value_is_published_only_when_it_moved_more_than_its_deadband_since_last_published()
    {
        var filter = Filter();
        filter.Next(Snapshot(20));
        Assert.Null(filter.Next(Snapshot(20.15)));
        Assert.Null(filter.Next(Snapshot(19.85)));  // within 0.2 of the 20 last published, though 0.3 from the last read
        var moved = filter.Next(Snapshot(20.25))!;
        Assert.Equal(["TT05_CO2"], moved.Values.Keys);
        Assert.Null(moved.State);
        Assert.False(moved.Full);
        Assert.Null(filter.Next(Snapshot(20.1))); // 0.15 from 20.25, the value now published

        // A deadband of 0: any change; a bool flipping is a change of 1.
        Assert.Equal(["LP_speed", "set_start_chiller"], filter.Next(Snapshot(20.1, speed: 0.001, chiller: true))!.Values.Keys);
    }

    [Fact]
    public void A_state_change_is_published_with_the_values_that_moved()
    {
        var filter = Filter();
        filter.Next(Snapshot(20));
        var changed = filter.Next(Snapshot(20, chiller: true, state: MartaState.ChillerRunning))!;
        Assert.Equal(MartaState.ChillerRunning, changed.State);
        Assert.Equal(["set_start_chiller"], changed.Values.Keys);
    }

    [Fact]
    public void Everything_is_published_again_every_period_and_on_a_new_generation()
    {
        var filter = Filter();
        filter.Next(Snapshot(20));
        _clock.Advance(TimeSpan.FromMinutes(9.9));
        Assert.Null(filter.Next(Snapshot(20)));
        _clock.Advance(TimeSpan.FromMinutes(0.1));
        var forced = filter.Next(Snapshot(20))!;
        Assert.True(forced.Full);
        Assert.Equal(MartaState.Connected, forced.State);
        Assert.Equal(4, forced.Values.Count);
        Assert.Null(filter.Next(Snapshot(20)));

        // refresh (or a reconnection) increments the generation
        Assert.True(filter.Next(Snapshot(20, generation: 2))!.Full);
    }

    [Fact]
    public void While_not_live_only_the_state_is_published_and_the_values_come_back_in_full()
    {
        var filter = Filter();
        filter.Next(Snapshot(20));
        var lost = filter.Next(Snapshot(25, state: MartaState.Disconnected, live: false))!;
        Assert.Equal(MartaState.Disconnected, lost.State);
        Assert.Empty(lost.Values);
        _clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Null(filter.Next(Snapshot(25, state: MartaState.Disconnected, live: false)));

        var back = filter.Next(Snapshot(25, generation: 2))!;
        Assert.True(back.Full);
        Assert.Equal(MartaState.Connected, back.State);
    }

    [Fact]
    public void A_NaN_counts_as_moved_when_it_appears_or_goes_and_not_while_it_stays()
    {
        var nan = new MartaValue(MartaRegisterType.Float32, double.NaN);
        var one = new MartaValue(MartaRegisterType.Float32, 1);
        Assert.True(MartaPublishFilter.Moved(one, nan, 5));
        Assert.True(MartaPublishFilter.Moved(nan, one, 5));
        Assert.False(MartaPublishFilter.Moved(nan, nan, 0));
    }
}
