using TrackerDcs.Hardware.Julabo;

namespace TrackerDcs.Tests.Julabo;

public class JulaboStateMachineTests
{
    [Theory]
    [InlineData(JulaboState.Disconnected, JulaboEvent.LinkOpened, JulaboState.Connected)]
    [InlineData(JulaboState.Connected, JulaboEvent.StatusRemoteStop, JulaboState.Off)]
    [InlineData(JulaboState.Off, JulaboEvent.StatusRemoteStart, JulaboState.On)]
    [InlineData(JulaboState.On, JulaboEvent.StatusFault, JulaboState.Error)]
    [InlineData(JulaboState.Error, JulaboEvent.StatusRemoteStop, JulaboState.Off)]
    [InlineData(JulaboState.On, JulaboEvent.LinkLost, JulaboState.Disconnected)]
    [InlineData(JulaboState.Disconnected, JulaboEvent.LinkLost, JulaboState.Disconnected)]
    public void Transitions(JulaboState from, JulaboEvent @event, JulaboState to) => Assert.Equal(to, JulaboStateMachine.Next(from, @event));

    [Fact]
    public void A_status_without_a_link_is_our_bug()
    {
        var e = Assert.Throws<InvalidOperationException>(() => JulaboStateMachine.Next(JulaboState.Disconnected, JulaboEvent.StatusRemoteStart));
        Assert.Contains("bug in TrackerDcs", e.Message);
    }

    [Theory]
    [InlineData(0, JulaboEvent.StatusFault)]
    [InlineData(1, JulaboEvent.StatusFault)]
    [InlineData(2, JulaboEvent.StatusRemoteStop)]
    [InlineData(3, JulaboEvent.StatusRemoteStart)]
    [InlineData(-8, JulaboEvent.StatusFault)]
    public void Status_codes_map_to_events(int code, JulaboEvent expected) =>
        Assert.Equal(expected, JulaboStateMachine.EventFor(new JulaboUnitStatus(code, "")));

    [Fact]
    public void Start_only_from_off_stop_from_on_or_error()
    {
        foreach (var state in Enum.GetValues<JulaboState>())
        {
            Assert.Equal(state == JulaboState.Off, JulaboStateMachine.Allows(state, JulaboAction.Start));
            Assert.Equal(state is JulaboState.On or JulaboState.Error, JulaboStateMachine.Allows(state, JulaboAction.Stop));
            Assert.Equal(state != JulaboState.Disconnected, JulaboStateMachine.Allows(state, JulaboAction.Configure));
        }
    }
}
