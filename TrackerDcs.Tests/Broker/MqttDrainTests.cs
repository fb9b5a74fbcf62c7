using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Server;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Tests.Broker;

/// <summary>
/// The drain's place in a stop. After a SIGTERM the host's StopAsync (on its own thread) calls StoppingAsync while the
/// ApplicationStopping callbacks still run on the signal's thread. Before, StoppingAsync took the drain's callback
/// away if that thread had not reached it yet, so ASP.NET Core's connection manager closed the WebSocket clients
/// while the "offline" heartbeat was still being published: a full CI run saw it.
/// </summary>
public sealed class MqttDrainTests
{
    [Fact]
    public async Task The_callbacks_registered_before_it_wait_for_the_drain_even_when_the_host_has_begun_it_first()
    {
        using var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder().Build());
        await server.StartAsync();
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var announcement = new HeldAnnouncement();
        bool? announcedWhenConnectionsClosed = null;
        // Registered first, as the connection manager's is when /mqtt is mapped.
        lifetime.ApplicationStopping.Register(() => announcedWhenConnectionsClosed = announcement.Done);
        var guard = new MqttConnectionGuard(new BrokerOptions(), TimeProvider.System, NullLogger<MqttConnectionGuard>.Instance);
        var drain = new MqttDrain(server, guard, lifetime, [announcement], NullLogger<MqttDrain>.Instance);
        await drain.StartedAsync(CancellationToken.None);

        var stopping = drain.StoppingAsync(CancellationToken.None);
        await announcement.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var signal = Task.Run(lifetime.StopApplication);
        // The old code let the signal's callbacks run to the end at once; now they wait for the announcement.
        await Task.WhenAny(signal, Task.Delay(TimeSpan.FromMilliseconds(500)));
        announcement.Release.SetResult();
        await signal.WaitAsync(TimeSpan.FromSeconds(10));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(announcedWhenConnectionsClosed, "the connections were closed before the stop was announced");
        Assert.Equal(1, announcement.Count);
        Assert.False(server.IsStarted);
    }

    /// <summary>An announcement that takes as long as the test wants, as one does when a client's queue is slow.</summary>
    private sealed class HeldAnnouncement : IStopAnnouncement
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Done { get; private set; }
        public int Count { get; private set; }

        public async Task AnnounceStopAsync(CancellationToken cancellationToken)
        {
            Count++;
            Started.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            Done = true;
        }
    }
}
