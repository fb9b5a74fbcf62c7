using System.Globalization;
using System.IO.Ports;
using System.Net;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Hardware.Common;
using TrackerDcs.Hardware.Marta;

namespace TrackerDcs.Web.Simulation;

/// <summary>
/// `TrackerDcs simulate caen|julabo|marta|switchbox`: one simulated device in a process of its own, on its real wire protocol,
/// so the stand can be pointed at it exactly as at hardware (Caen:Simulated=false, Julabo:Port=host:port, Marta:Host and Marta:Port,
/// SwitchBox:Port) and
/// the hardware outlives a crash of TrackerDcs, as real hardware does. Faults are typed on standard input.
/// </summary>
public static class SimulateCli
{
    public const int Ok = 0;
    public const int UsageError = 2;

    public const string Usage = """
        usage: TrackerDcs simulate caen [--port 5064] [--bind 127.0.0.1] [--prefix cleanroom]
               TrackerDcs simulate julabo (--tcp <port> | --serial <device>) [--baud 9600] [--data-bits 8]
                                          [--parity None] [--stop-bits One] [--handshake None] [--time-constant 180]
               TrackerDcs simulate marta [--port 1502] [--unit 1] [--map marta_registers.yml] [--time-constant 90]
               TrackerDcs simulate switchbox (--tcp <port> | --serial <device>) [--baud 115200]
        Serves one simulated device until Ctrl-C or SIGTERM. Fault injection: type "help" on standard input.
        """;

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output)
    {
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        using var stop = new CancellationTokenSource();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        try
        {
            return args switch
            {
                ["caen", .. var rest] => await CaenAsync(Options(rest), input, output, loggers, stop.Token),
                ["julabo", .. var rest] => await JulaboAsync(Options(rest), input, output, loggers, stop.Token),
                ["switchbox", .. var rest] => await SwitchBoxAsync(Options(rest), input, output, loggers, stop.Token),
                ["marta", .. var rest] => await MartaAsync(Options(rest), input, output, loggers, stop.Token),
                _ => await UsageAsync(output, args.Length == 0 || args[0] is "-h" or "--help" ? null : $"unknown device '{args[0]}'"),
            };
        }
        catch (ArgumentException e)
        {
            return await UsageAsync(output, e.Message);
        }
    }

    private static async Task<int> CaenAsync(Dictionary<string, string> options, TextReader input, TextWriter output, ILoggerFactory loggers, CancellationToken stop)
    {
        Allow(options, "--port", "--bind", "--prefix");
        var port = Int(options, "--port", 5064);
        var bind = IPAddress.TryParse(options.GetValueOrDefault("--bind", "127.0.0.1"), out var address) ? address
            : throw new ArgumentException($"--bind: '{options["--bind"]}' is not an IP address");
        using var crate = new SimulatedCaenCrate(options.GetValueOrDefault("--prefix", CaenPvNames.DefaultPrefix));
        await using var server = new CaServer(crate.Find, new CaServerOptions { BindAddress = bind, Port = port }, loggers.CreateLogger<CaServer>());
        crate.Start(SimulatedCaenCrate.DefaultTickPeriod);
        server.Start();
        await output.WriteLineAsync($"simulated SY4527 '{crate.Prefix}': {crate.ProcessVariables.Count} PVs on {bind}:{server.TcpPort} (Channel Access)");
        await SimulatorConsole.RunAsync(SimulatorConsole.Caen(crate), input, output, stop);
        return Ok;
    }

    private static async Task<int> JulaboAsync(Dictionary<string, string> options, TextReader input, TextWriter output, ILoggerFactory loggers, CancellationToken stop)
    {
        Allow(options, "--tcp", "--serial", "--baud", "--data-bits", "--parity", "--stop-bits", "--handshake", "--time-constant");
        // The bath's time constant in seconds: a real bath takes minutes; a demo or a test may want seconds.
        var timeConstant = TimeSpan.FromSeconds(Int(options, "--time-constant", 180) is > 0 and var t ? t : throw new ArgumentException("--time-constant must be positive"));
        await using var chiller = new JulaboSimulator(new JulaboSimulatorOptions { TimeConstant = timeConstant }, logger: loggers.CreateLogger<JulaboSimulator>());
        if (options.ContainsKey("--tcp") == options.ContainsKey("--serial"))
            throw new ArgumentException("give exactly one of --tcp <port> and --serial <device>");
        if (options.ContainsKey("--tcp"))
        {
            var port = chiller.ListenTcp(Int(options, "--tcp", 0));
            await output.WriteLineAsync($"simulated Julabo: TCP on 127.0.0.1:{port}");
        }
        else
        {
            var device = options["--serial"];
            chiller.ServeSerial(device, new SerialSettings(Int(options, "--baud", 9600), Int(options, "--data-bits", 8),
                Enum<Parity>(options, "--parity", Parity.None), Enum<StopBits>(options, "--stop-bits", StopBits.One),
                Enum<Handshake>(options, "--handshake", Handshake.None)));
            await output.WriteLineAsync($"simulated Julabo: serial on {device}");
        }
        await SimulatorConsole.RunAsync(SimulatorConsole.Julabo(chiller), input, output, stop);
        return Ok;
    }

    private static async Task<int> SwitchBoxAsync(Dictionary<string, string> options, TextReader input, TextWriter output, ILoggerFactory loggers, CancellationToken stop)
    {
        Allow(options, "--tcp", "--serial", "--baud");
        if (options.ContainsKey("--tcp") == options.ContainsKey("--serial"))
            throw new ArgumentException("give exactly one of --tcp <port> and --serial <device>");
        await using var box = new SwitchBoxSimulator(loggers.CreateLogger<SwitchBoxSimulator>());
        if (options.ContainsKey("--tcp"))
        {
            var port = box.ListenTcp(Int(options, "--tcp", 0));
            await output.WriteLineAsync($"simulated switch box: TCP on 127.0.0.1:{port}");
        }
        else
        {
            var device = options["--serial"];
            // The box's line is 115200 8N1; only the rate may differ (a USB adapter set otherwise, for a test of it).
            box.ServeSerial(device, SwitchBoxProtocol.Serial with { BaudRate = Int(options, "--baud", SwitchBoxProtocol.Serial.BaudRate) });
            await output.WriteLineAsync($"simulated switch box: serial on {device}");
        }
        await SimulatorConsole.RunAsync(SimulatorConsole.SwitchBox(box), input, output, stop);
        return Ok;
    }

    /// <summary>
    /// The CO2 plant's PLC over Modbus TCP on 127.0.0.1. Its port is 1502 unless given: never 502 by default, so that
    /// a demo cannot pass for the plant; --port 0 picks a free one (printed).
    /// </summary>
    private static async Task<int> MartaAsync(Dictionary<string, string> options, TextReader input, TextWriter output, ILoggerFactory loggers, CancellationToken stop)
    {
        Allow(options, "--port", "--unit", "--map", "--time-constant");
        var unit = Int(options, "--unit", 1) is >= 1 and <= 247 and var u ? (byte)u : throw new ArgumentException("--unit must be a Modbus unit id (1–247)");
        var timeConstant = TimeSpan.FromSeconds(Int(options, "--time-constant", 90) is > 0 and var t ? t : throw new ArgumentException("--time-constant must be positive"));
        var file = Path.GetFullPath(options.GetValueOrDefault("--map", MartaRegisterMap.DefaultFile), AppContext.BaseDirectory);
        MartaRegisterMap map;
        try
        {
            map = MartaRegisterMap.Load(file);
            MartaControlRegisters.From(map); // the registers the PLC logic works with
        }
        catch (MartaMapException e)
        {
            throw new ArgumentException($"--map: {e.Message}");
        }
        await using var plant = new MartaSimulator(map, new MartaSimulatorOptions { Port = Int(options, "--port", 1502), UnitId = unit, Co2TimeConstant = timeConstant },
            logger: loggers.CreateLogger<MartaSimulator>());
        await output.WriteLineAsync($"simulated MARTA: Modbus TCP on {plant.EndPoint}, unit {unit}, map {map.File}");
        await SimulatorConsole.RunAsync(SimulatorConsole.Marta(plant), input, output, stop);
        return Ok;
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected '{args[i]}'");
            if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a value");
            options[args[i]] = args[i + 1];
        }
        return options;
    }

    private static void Allow(Dictionary<string, string> options, params string[] known)
    {
        if (options.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown) throw new ArgumentException($"unknown option {unknown}");
    }

    private static int Int(Dictionary<string, string> options, string name, int fallback) =>
        !options.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
        : throw new ArgumentException($"{name}: '{text}' is not a non-negative integer");

    private static T Enum<T>(Dictionary<string, string> options, string name, T fallback) where T : struct, Enum =>
        !options.TryGetValue(name, out var text) ? fallback
        : System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) ? value
        : throw new ArgumentException($"{name}: '{text}' is not one of {string.Join(", ", System.Enum.GetNames<T>())}");

    private static async Task<int> UsageAsync(TextWriter output, string? problem)
    {
        if (problem is not null) await output.WriteLineAsync($"error: {problem}");
        await output.WriteLineAsync(Usage);
        return problem is null ? Ok : UsageError;
    }
}
