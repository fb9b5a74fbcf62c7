using TrackerDcs.Hardware.ChannelAccess;
using static TrackerDcs.Hardware.ChannelAccess.CaConnectionState;

namespace TrackerDcs.Tests.ChannelAccess;

public class CaChannelStatesTests
{
    [Theory]
    [InlineData(NeverConnected, CaChannelEvent.Created, Connected)]
    [InlineData(NeverConnected, CaChannelEvent.Lost, NeverConnected)]
    [InlineData(Connected, CaChannelEvent.Lost, Disconnected)]
    [InlineData(Disconnected, CaChannelEvent.Created, Connected)]
    [InlineData(Disconnected, CaChannelEvent.Closed, Closed)]
    internal void Transitions_follow_the_table(CaConnectionState state, CaChannelEvent e, CaConnectionState next) =>
        Assert.Equal(next, CaChannelStates.Apply(state, e, "pv"));

    [Fact]
    public void A_closed_channel_ignores_late_events_and_a_second_create_reply_is_the_servers_fault()
    {
        Assert.Null(CaChannelStates.Apply(Closed, CaChannelEvent.Created, "pv"));
        var fault = Assert.Throws<CaProtocolException>(() => CaChannelStates.Apply(Connected, CaChannelEvent.Created, "pv"));
        Assert.Contains("server fault", fault.Message);
    }
}
