using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices.Julabo;

namespace TrackerDcs.Tests.Julabo;

/// <summary>The chiller's hosting in process: the simulated link, and a publish loop that survives a failing broker.</summary>
public sealed class JulaboServiceTests
{
    private static JulaboOptions Simulated() => new()
    {
        Port = JulaboSettings.SimulatedPort,
        CommandInterval = TimeSpan.FromMilliseconds(20),
        PollPeriod = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task Simulated_port_runs_its_own_simulator()
    {
        var options = Simulated();
        await using var link = new JulaboLink(options, TimeProvider.System, NullLoggerFactory.Instance);
        Assert.NotNull(link.Simulator);
        await using var device = new JulaboDevice(options, link.NewTransport);
        using var stop = new CancellationTokenSource();
        var run = device.RunAsync(stop.Token);
        await Eventually.True(() => device.State == JulaboState.Off, "simulated chiller OFF");
        await stop.CancelAsync();
        await run;
        Assert.Equal(JulaboState.Disconnected, device.State);
    }

    [Fact]
    public async Task A_publish_that_throws_does_not_end_the_service()
    {
        var options = Simulated();
        var publisher = new FailingPublisher(failures: 2);
        var service = new JulaboService(options, new JulaboLink(options, TimeProvider.System, NullLoggerFactory.Instance), publisher,
            TimeProvider.System, NullLoggerFactory.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.True(() => publisher.Published.Any(p => p.Payload.Contains("\"fsm_state\":\"OFF\"")),
                "julabo/status OFF published after the failed publishes");
            Assert.Equal(2, publisher.Failures);
            Assert.False(service.ExecuteTask!.IsCompleted);
            Assert.All(publisher.Published, p => Assert.Equal(("julabo/status", true), (p.Topic, p.Retain)));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A broker whose first publishes fail, as one that is overloaded or shutting down would.</summary>
    private sealed class FailingPublisher(int failures) : IMqttPublisher
    {
        private int _failures;

        public ConcurrentQueue<(string Topic, string Payload, bool Retain)> Published { get; } = new();
        public int Failures => Volatile.Read(ref _failures);

        public Task PublishAsync(string topic, string payload, bool retain = false, byte[]? correlationData = null, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _failures) <= failures) throw new InvalidOperationException("the broker is not accepting messages");
            Interlocked.Decrement(ref _failures);
            Published.Enqueue((topic, payload, retain));
            return Task.CompletedTask;
        }
    }
}
