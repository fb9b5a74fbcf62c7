using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>A <see cref="CaServer"/> on a free loopback port with a few PVs shaped like the CAEN crate's.</summary>
public sealed class CaTestServer : IAsyncLifetime
{
    public ProcessVariable VMon { get; } = new("test:00:000:VMon", CaType.Double, 12.5)
        { Units = "V", Precision = 3, LowLimit = 0, HighLimit = 100, Writable = false };
    public ProcessVariable V0Set { get; } = new("test:00:000:V0Set", CaType.Double, 12.0)
        { Units = "V", Precision = 2, LowLimit = 0, HighLimit = 15 };
    public ProcessVariable Pw { get; } = new("test:00:000:Pw", CaType.Enum, (ushort)0) { EnumStrings = ["Off", "On"] };
    public ProcessVariable ImRange { get; } = new("test:12:000:ImRange", CaType.Enum, (ushort)1) { EnumStrings = ["High", "Low"] };
    public ProcessVariable Name { get; } = new("test:Name", CaType.String, "module_0");
    public ProcessVariable Waveform { get; } = new("test:Waveform", CaType.Double, new[] { 1.0, 2.0, 3.0, 4.0, 5.0 });
    /// <summary>Written by put tests, so the read tests can rely on <see cref="Name"/> and <see cref="Waveform"/>.</summary>
    public ProcessVariable Label { get; } = new("test:Label", CaType.String, "");
    public ProcessVariable Samples { get; } = new("test:Samples", CaType.Double, new double[3]);
    public ProcessVariable Trip { get; } = new("test:00:000:Trip", CaType.Double, 10.0) { Units = "s" };
    public ProcessVariable Status { get; } = new("test:00:000:Status", CaType.Long, 0);
    /// <summary>A put handler that refuses everything, like a driver refusing a set point in the wrong state.</summary>
    public ProcessVariable Tripped { get; } = new("test:Tripped", CaType.Double, 1.0) { OnPut = _ => "channel is tripped" };

    public CaServer Server { get; private set; } = null!;
    public int Port { get; private set; }

    public Task InitializeAsync()
    {
        Server = CaTest.StartServer([VMon, V0Set, Pw, ImRange, Name, Waveform, Label, Samples, Trip, Status, Tripped]);
        Port = Server.SearchPort;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
