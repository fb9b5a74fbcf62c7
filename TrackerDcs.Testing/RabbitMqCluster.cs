using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace TrackerDcs.Testing;

/// <summary>
/// A real RabbitMQ cluster (Debian's rabbitmq-server, 3.10) of <see cref="Nodes"/> nodes on 127.0.0.1, each with its
/// MQTT plugin on a free port: the site's message bus of issue 19, as a test peer.
/// <list type="bullet">
/// <item>Debian's server runs as the <c>rabbitmq</c> user: every node directory belongs to it, and the nodes and
/// rabbitmqctl are started through <c>setpriv</c> as that user.</item>
/// <item>The cluster has its own epmd (Erlang's name server) on a free port, started by this class as a child and
/// stopped by its process id, so nothing is left behind and parallel clusters never see each other's nodes.</item>
/// <item>One Erlang cookie per cluster (HOME of every node and of rabbitmqctl is the cluster's directory).</item>
/// <item>Nodes are stopped by their own process ids (the beam's, read from its pid file, and the start script's);
/// <see cref="KillAsync"/> SIGKILLs one node's beam, as a crashed machine would.</item>
/// <item>With <see cref="Tls"/>, every node has a second MQTT listener over TLS (<see cref="Node.MqttTlsPort"/>).</item>
/// </list>
/// </summary>
public sealed class RabbitMqCluster : IAsyncDisposable
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string Ctl = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private const string Epmd = "/usr/bin/epmd";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private readonly string _directory;
    private readonly int _epmdPort;
    private readonly string _prefix;
    private Process? _epmd;
    private readonly List<Node> _nodes = [];

    private RabbitMqCluster(string directory, int epmdPort, string prefix)
    {
        _directory = directory;
        _epmdPort = epmdPort;
        _prefix = prefix;
    }

    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>How long <see cref="StartAsync"/> took, from nothing to a cluster whose every node runs.</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>host:port of every node's MQTT listener, in node order (what Site:Brokers lists).</summary>
    public IEnumerable<string> MqttEndpoints => _nodes.Select(n => $"127.0.0.1:{n.MqttPort}");

    /// <summary>PEM files of a node certificate, its key and the CA that signed it: every node gets an MQTT listener over TLS with them.</summary>
    public sealed record Tls(string CaFile, string CertificateFile, string KeyFile);

    public sealed class Node
    {
        internal Node(string name, string directory, int amqpPort, int distPort, int mqttPort, int? mqttTlsPort)
        {
            Name = name; Directory = directory; AmqpPort = amqpPort; DistPort = distPort; MqttPort = mqttPort; MqttTlsPort = mqttTlsPort;
        }

        public string Name { get; }
        public string Directory { get; }
        public int AmqpPort { get; }
        public int DistPort { get; }
        public int MqttPort { get; }
        /// <summary>The MQTT listener over TLS, when the cluster was started with <see cref="Tls"/>.</summary>
        public int? MqttTlsPort { get; }
        internal Process? Script { get; set; }
        internal readonly StringBuilder Output = new();
        internal string PidFile => Path.Combine(Directory, "pid");

        /// <summary>The Erlang VM's process id, from the pid file the node writes when it has started.</summary>
        public int? BeamPid => File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) ? pid : null;

        public string Log { get { lock (Output) return Output.ToString(); } }
    }

    public static async Task<RabbitMqCluster> StartAsync(int nodes = 3, Tls? tls = null)
    {
        if (!File.Exists(Server)) throw new FileNotFoundException($"{Server} is missing (apt-get install rabbitmq-server)");
        if (nodes < 1) throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "a cluster has at least one node");
        var started = Stopwatch.StartNew();
        var directory = Directory.CreateTempSubdirectory("trackerdcs-test-rabbitmq-").FullName;
        var cluster = new RabbitMqCluster(directory, FreePort.Tcp(), $"t{Guid.NewGuid():N}"[..10]);
        try
        {
            await cluster.PrepareAsync(nodes, tls);
            // The nodes boot in parallel (the slow part, ~20 s each on a loaded machine), then join the first one by one.
            await Task.WhenAll(cluster._nodes.Select(cluster.BootAsync));
            foreach (var node in cluster._nodes.Skip(1))
            {
                await cluster.CtlAsync(node, "stop_app");
                await cluster.CtlAsync(node, "join_cluster", cluster._nodes[0].Name);
                await cluster.CtlAsync(node, "start_app");
            }
            var status = await cluster.CtlAsync(cluster._nodes[0], "cluster_status", "--formatter", "json");
            foreach (var node in cluster._nodes)
                if (!status.Contains($"\"{node.Name}\"")) throw new InvalidOperationException($"{node.Name} is not in the cluster: {status}");
            cluster.StartTime = started.Elapsed;
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task PrepareAsync(int count, Tls? tls)
    {
        // One cookie for the cluster and its rabbitmqctl calls; Erlang refuses a cookie file others can read.
        var cookie = Path.Combine(_directory, ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, Guid.NewGuid().ToString("N").ToUpperInvariant());
        File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        await File.WriteAllTextAsync(Path.Combine(_directory, "enabled_plugins"), "[rabbitmq_mqtt].\n");
        // The node reads its certificate and key as the rabbitmq user: copies in the cluster's directory, which it owns.
        var tlsLines = new List<string>();
        if (tls is not null)
        {
            foreach (var (file, name) in new[] { (tls.CaFile, "ca.pem"), (tls.CertificateFile, "node.pem"), (tls.KeyFile, "node.key") })
                File.Copy(file, Path.Combine(_directory, name));
            tlsLines.AddRange([
                $"ssl_options.cacertfile = {Path.Combine(_directory, "ca.pem")}",
                $"ssl_options.certfile = {Path.Combine(_directory, "node.pem")}",
                $"ssl_options.keyfile = {Path.Combine(_directory, "node.key")}",
                // Clients show no certificate of their own: they log in with user and password, over TLS.
                "ssl_options.verify = verify_none",
                "ssl_options.fail_if_no_peer_cert = false",
            ]);
        }
        for (var i = 1; i <= count; i++)
        {
            var nodeDirectory = Path.Combine(_directory, $"node{i}");
            Directory.CreateDirectory(Path.Combine(nodeDirectory, "mnesia"));
            Directory.CreateDirectory(Path.Combine(nodeDirectory, "log"));
            var node = new Node($"{_prefix}-{i}@localhost", nodeDirectory, FreePort.Tcp(), FreePort.Tcp(), FreePort.Tcp(), tls is null ? null : FreePort.Tcp());
            List<string> conf =
            [
                $"listeners.tcp.1 = 127.0.0.1:{node.AmqpPort}",
                $"mqtt.listeners.tcp.1 = 127.0.0.1:{node.MqttPort}",
                "mqtt.allow_anonymous = false",
                // Failover is measured in seconds: a dead peer node is noticed within ~ 4 × tick/4 s, not 60 s.
                "net_ticktime = 8",
                "log.console = true",
                "log.console.level = warning",
                "log.file.level = info",
            ];
            if (node.MqttTlsPort is { } tlsPort) conf.AddRange([$"mqtt.listeners.ssl.1 = 127.0.0.1:{tlsPort}", .. tlsLines]);
            await File.WriteAllLinesAsync(Path.Combine(nodeDirectory, "rabbitmq.conf"), conf);
            _nodes.Add(node);
        }
        // The server refuses directories it cannot write: everything belongs to the user it runs as.
        var chown = await ProcessRunner.RunAsync("chown", ["-R", "rabbitmq:rabbitmq", _directory]);
        if (chown.ExitCode != 0) throw new InvalidOperationException($"chown rabbitmq {_directory}: {chown}");
        // Its own epmd, in the foreground, so that it is a child this class stops by its id.
        var epmd = new ProcessStartInfo(Epmd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-port", _epmdPort.ToString(), "-address", "127.0.0.1" }) epmd.ArgumentList.Add(a);
        _epmd = Process.Start(epmd)!;
        _epmd.BeginOutputReadLine();
        _epmd.BeginErrorReadLine();
        await WaitForPortAsync(_epmdPort, TimeSpan.FromSeconds(10), () => _epmd.HasExited ? $"epmd exited with {_epmd.ExitCode}" : null);
    }

    private Dictionary<string, string> Environment(Node? node)
    {
        var env = new Dictionary<string, string>
        {
            ["HOME"] = _directory,
            ["ERL_EPMD_PORT"] = _epmdPort.ToString(),
            ["LANG"] = "C.UTF-8",
            ["LC_ALL"] = "C.UTF-8",
        };
        if (node is null) return env;
        env["RABBITMQ_NODENAME"] = node.Name;
        env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        env["RABBITMQ_DIST_PORT"] = node.DistPort.ToString();
        env["RABBITMQ_MNESIA_BASE"] = Path.Combine(node.Directory, "mnesia");
        env["RABBITMQ_LOG_BASE"] = Path.Combine(node.Directory, "log");
        env["RABBITMQ_CONFIG_FILE"] = Path.Combine(node.Directory, "rabbitmq.conf");
        env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "enabled_plugins");
        env["RABBITMQ_PID_FILE"] = node.PidFile;
        // Erlang distribution listens on every interface unless told: loopback only.
        env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        return env;
    }

    private static ProcessStartInfo AsRabbitMq(string file, IEnumerable<string> args, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo("setpriv")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = "/",
        };
        foreach (var a in new[] { "--reuid=rabbitmq", "--regid=rabbitmq", "--init-groups", file }.Concat(args)) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        return info;
    }

    private async Task BootAsync(Node node)
    {
        var script = Process.Start(AsRabbitMq(Server, [], Environment(node)))!;
        node.Script = script;
        script.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (node.Output) node.Output.AppendLine(e.Data); };
        script.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (node.Output) node.Output.AppendLine(e.Data); };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        await WaitRunningAsync(node, StartTimeout);
    }

    /// <summary>Until the node answers await_startup (its apps run) and its MQTT port takes connections.</summary>
    private async Task WaitRunningAsync(Node node, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (node.Script is { HasExited: true } s)
                throw new InvalidOperationException($"{node.Name} exited with {s.ExitCode}:\n{node.Log}");
            var result = await ProcessRunner.RunAsyncAs(AsRabbitMq(Ctl, ["-n", node.Name, "await_startup", "-t", "5"], Environment(null)), TimeSpan.FromSeconds(60));
            if (result.ExitCode == 0) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{node.Name} did not start within {timeout.TotalSeconds} s: {result}\n{node.Log}");
            await Task.Delay(500);
        }
        await WaitForPortAsync(node.MqttPort, TimeSpan.FromSeconds(30), () => null);
        if (node.MqttTlsPort is { } tlsPort) await WaitForPortAsync(tlsPort, TimeSpan.FromSeconds(30), () => null);
    }

    /// <summary>Runs rabbitmqctl against <paramref name="node"/>; a failure throws with its output.</summary>
    public async Task<string> CtlAsync(Node node, params string[] args)
    {
        var result = await ProcessRunner.RunAsyncAs(AsRabbitMq(Ctl, ["-n", node.Name, .. args], Environment(null)), TimeSpan.FromSeconds(90));
        if (result.ExitCode != 0) throw new InvalidOperationException($"rabbitmqctl -n {node.Name} {string.Join(' ', args)}: {result}");
        return result.Stdout;
    }

    /// <summary>rabbitmqctl on the first node still running (users and permissions are the cluster's, any node serves).</summary>
    public Task<string> CtlAsync(params string[] args) => CtlAsync(_nodes.First(n => n.Script is { HasExited: false }), args);

    /// <summary>
    /// An account with its topic permissions on amq.topic (the exchange the MQTT plugin publishes to), where routing keys
    /// are MQTT topics with '.' for '/': <paramref name="write"/> and <paramref name="read"/> are regexes on those keys.
    /// It may configure, write and read every queue and exchange (the plugin declares its own queues), topic rules apart.
    /// </summary>
    public async Task AddUserAsync(string user, string password, string write = ".*", string read = ".*")
    {
        await CtlAsync("add_user", user, password);
        await CtlAsync("set_permissions", "-p", "/", user, ".*", ".*", ".*");
        await CtlAsync("set_topic_permissions", "-p", "/", user, "amq.topic", write, read);
    }

    /// <summary>SIGKILL to the node's Erlang VM: no goodbye to its peers nor to its clients, as a crashed machine.</summary>
    public async Task KillAsync(Node node)
    {
        var pid = node.BeamPid ?? throw new InvalidOperationException($"{node.Name} has no pid file (not running)");
        using (var beam = Process.GetProcessById(pid))
        {
            beam.Kill();
            await beam.WaitForExitAsync();
        }
        if (node.Script is { } script)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await script.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { script.Kill(); }
        }
    }

    /// <summary>Starts a stopped or killed node again on its own directory: it rejoins the cluster by itself.</summary>
    public async Task RestartAsync(Node node)
    {
        node.Script?.Dispose();
        await BootAsync(node);
    }

    public bool IsRunning(Node node) => node.Script is { HasExited: false };

    public async ValueTask DisposeAsync()
    {
        // SIGTERM to the start script stops its beam cleanly (the script's trap), in parallel for all nodes;
        // whatever still runs after 30 s is killed by its own pid.
        await Task.WhenAll(_nodes.Select(StopNodeAsync));
        if (_epmd is { HasExited: false } epmd)
        {
            epmd.Kill();
            await epmd.WaitForExitAsync();
        }
        _epmd?.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private static async Task StopNodeAsync(Node node)
    {
        var beamPid = node.BeamPid;
        if (node.Script is { HasExited: false } script)
        {
            using (var term = Process.Start("kill", ["-TERM", script.Id.ToString()])) await term.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await script.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { script.Kill(); }
        }
        if (beamPid is { } pid)
        {
            try
            {
                using var beam = Process.GetProcessById(pid);
                // The pid file names this node's VM; a pid reused by another program would not be beam.smp.
                if (!beam.HasExited && beam.ProcessName.StartsWith("beam", StringComparison.Ordinal))
                {
                    beam.Kill();
                    await beam.WaitForExitAsync();
                }
            }
            catch (ArgumentException) { }
        }
        node.Script?.Dispose();
    }

    private static async Task WaitForPortAsync(int port, TimeSpan timeout, Func<string?> failed)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (failed() is { } why) throw new InvalidOperationException(why);
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
