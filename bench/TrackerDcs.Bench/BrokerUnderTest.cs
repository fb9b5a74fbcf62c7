using System.Diagnostics;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;

namespace TrackerDcs.Bench;

/// <summary>
/// A broker process started for the run on a free loopback port and killed at the end. Both brokers are
/// reached with the same client options, so only the broker differs between the two sets of figures.
/// </summary>
public abstract class BrokerUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// MQTTnet sets SO_RCVBUF/SO_SNDBUF to its BufferSize, 8 KiB by default, which turns off Linux's buffer
    /// autotuning. A subscriber flooded with ~120-byte segments then overflows that buffer as soon as the
    /// loaded machine delays its reads: the kernel prunes and drops, and TCP's retransmission back-off, not
    /// the broker, sets the pace (seen here as scenarios stalling for 30 to 200 s). 1 MiB is far above what a scenario keeps in flight.
    /// </summary>
    private const int SocketBufferBytes = 1 << 20;
    private readonly StringBuilder _output = new();
    private Process? _process;

    protected BrokerUnderTest(string name, string directoryPrefix)
    {
        Name = name;
        Directory = System.IO.Directory.CreateTempSubdirectory(directoryPrefix).FullName;
        Port = FreePort.Tcp();
    }

    public string Name { get; }
    public int Port { get; }
    protected string Directory { get; }
    protected virtual (string User, string Password)? Credentials => null;

    /// <summary>CPU time the broker process has used so far: the cost of a scenario is the difference.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process!.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The process's id, for what /proc tells of it (the site bench reads its resident memory).</summary>
    public int ProcessId => _process!.Id;

    public MqttClientOptions ClientOptions(string clientId)
    {
        // MQTT 3.1.1: both brokers speak it, and no MQTT 5 feature is under test.
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Port)
            .WithClientId(clientId)
            .WithCleanSession()
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithTimeout(TimeSpan.FromSeconds(30));
        if (Credentials is var (user, password)) builder = builder.WithCredentials(user, password);
        var options = builder.Build();
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = SocketBufferBytes;
        return options;
    }

    protected abstract ProcessStartInfo StartInfo();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var info = StartInfo();
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        _process = Process.Start(info) ?? throw new InvalidOperationException($"{Name}: could not start {info.FileName}");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilReadyAsync(cancellationToken);
    }

    /// <summary>Ready means an MQTT connect succeeds: the listener is up and the broker accepts these credentials.</summary>
    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var deadline = DateTime.UtcNow + StartTimeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                await client.ConnectAsync(ClientOptions("bench-ready"), cancellationToken);
                await client.DisconnectAsync(cancellationToken: cancellationToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                last = e;
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException($"{Name} did not accept an MQTT connect within {StartTimeout.TotalSeconds} s ({last?.Message}):\n{Output}");
    }

    private void Keep(string? line)
    {
        if (line is not null) lock (_output) _output.AppendLine(line);
    }

    private string Output { get { lock (_output) return _output.ToString(); } }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
