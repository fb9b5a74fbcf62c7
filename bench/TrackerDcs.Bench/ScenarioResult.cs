namespace TrackerDcs.Bench;

/// <summary>One scenario against one broker: deliveries at the subscribers, their latency, the broker's CPU.</summary>
public sealed record ScenarioResult(
    Scenario Scenario,
    string Broker,
    int Delivered,
    TimeSpan Elapsed,
    double P50Ms,
    double P99Ms,
    TimeSpan BrokerCpu)
{
    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? Delivered / Elapsed.TotalSeconds : 0;
    public bool Complete => Delivered == Scenario.ExpectedDeliveries;

    /// <summary>Broker CPU per delivered message: on a shared 2-core machine, a steadier figure than wall time.</summary>
    public double BrokerCpuMicrosecondsPerMessage => Delivered > 0 ? BrokerCpu.TotalMicroseconds / Delivered : double.NaN;
}
