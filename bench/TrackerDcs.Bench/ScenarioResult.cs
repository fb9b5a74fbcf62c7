namespace TrackerDcs.Bench;

/// <summary>One scenario against one broker: deliveries at the subscribers, their latency, CPU used.</summary>
public sealed record ScenarioResult(
    Scenario Scenario,
    string Broker,
    int Delivered,
    TimeSpan Elapsed,
    double P50Ms,
    double P99Ms,
    TimeSpan BrokerCpu,
    TimeSpan BenchCpu)
{
    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? Delivered / Elapsed.TotalSeconds : 0;
    public bool Complete => Delivered == Scenario.ExpectedDeliveries;

    /// <summary>Broker CPU per delivered message: on a shared 2-core machine, a steadier figure than wall time.</summary>
    public double BrokerCpuMicrosecondsPerMessage => PerMessage(BrokerCpu);

    /// <summary>The load generator's own CPU per message: it shares the two cores with the broker.</summary>
    public double BenchCpuMicrosecondsPerMessage => PerMessage(BenchCpu);

    private double PerMessage(TimeSpan cpu) => Delivered > 0 ? cpu.TotalMicroseconds / Delivered : double.NaN;
}
