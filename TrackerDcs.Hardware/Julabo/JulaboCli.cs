using System.Globalization;
using System.IO.Ports;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// The bench tool: talk to a chiller from a shell without the DCS running.
/// <code>julabo --port /dev/ttyUSB0 status | read-temp | set-temp 2 18.5 | use-setpoint 2 | start | stop</code>
/// Exit codes: 0 done, 1 the chiller failed or refused, 2 bad arguments.
/// </summary>
public static class JulaboCli
{
    public const int Ok = 0;
    public const int ChillerError = 1;
    public const int UsageError = 2;

    public const string Usage = """
        usage: julabo --port <port> [options] <command>
          --port <port>         serial device (/dev/ttyUSB0), serial bridge (host:port), or "simulated"
          --baud <n>            default 9600 (older units: 4800)
          --data-bits <n>       default 8 (older units: 7)
          --parity <p>          None (default), Odd, Even (older units), Mark, Space
          --stop-bits <s>       One (default), OnePointFive, Two
          --handshake <h>       None, XOnXOff, RequestToSend (default), RequestToSendXOnXOff
          --timeout <ms>        reply time-out, default 1000
          --interval <ms>       time between commands, default 250
          --temp-min <c>, --temp-max <c>   set point limits, default -50 and 50
        commands:
          status                every reading of the unit
          read-temp             bath and external (Pt100) temperature
          set-temp <1-3> <c>    write set point 1-3
          use-setpoint <1-3>    select the set point in control
          start | stop          start or stop the unit
        """;

    /// <summary>Runs one bench command; <paramref name="args"/> may start with "julabo" itself.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        var rest = args.Length > 0 && args[0] == "julabo" ? args[1..] : args;
        if (rest.Length == 0 || rest.Contains("--help") || rest.Contains("-h") || rest.Contains("help"))
        {
            await output.WriteLineAsync(Usage);
            return rest.Length == 0 ? UsageError : Ok;
        }

        var options = new JulaboSettings { Port = "" };
        List<string> command;
        try
        {
            command = ParseOptions(rest, options);
            if (Validate(command, options) is { } problem) return await Fail(output, UsageError, problem, usage: true);
        }
        catch (FormatException e)
        {
            return await Fail(output, UsageError, e.Message, usage: true);
        }

        await using var simulator = options.IsSimulated ? new JulaboSimulator() : null;
        var transport = simulator is null ? Transports.Create(options.Port, options.Serial) : new TcpTransport("127.0.0.1", simulator.ListenTcp());
        await using var connection = new JulaboConnection(transport, options);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return await ExecuteAsync(connection, command, output, cancellationToken);
        }
        catch (Exception e) when (e is JulaboProtocolException or LinkException)
        {
            return await Fail(output, ChillerError, e.Message);
        }
    }

    private static List<string> ParseOptions(string[] args, JulaboSettings options)
    {
        var command = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) { command.Add(args[i]); continue; }
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : throw new FormatException($"{name} needs a value");
            switch (name)
            {
                case "--port": options.Port = value; break;
                case "--baud": options.BaudRate = Int(name, value); break;
                case "--data-bits": options.DataBits = Int(name, value); break;
                case "--parity": options.Parity = Enum<Parity>(name, value); break;
                case "--stop-bits": options.StopBits = Enum<StopBits>(name, value); break;
                case "--handshake": options.Handshake = Enum<Handshake>(name, value); break;
                case "--timeout": options.ReplyTimeout = TimeSpan.FromMilliseconds(Int(name, value)); break;
                case "--interval": options.CommandInterval = TimeSpan.FromMilliseconds(Int(name, value)); break;
                case "--temp-min": options.TempMin = Number(name, value); break;
                case "--temp-max": options.TempMax = Number(name, value); break;
                default: throw new FormatException($"unknown option {name}");
            }
        }
        return command;
    }

    // Everything that can be checked without the unit is checked before the port is opened.
    private static string? Validate(List<string> command, JulaboSettings options)
    {
        if (options.Port.Length == 0) return "--port is required";
        if (options.Validate() is [var first, ..]) return first;
        if (command.Count == 0) return "no command given";
        var (verb, arguments) = (command[0], command.Count - 1);
        int expected = verb switch { "status" or "read-temp" or "start" or "stop" => 0, "use-setpoint" => 1, "set-temp" => 2, _ => -1 };
        if (expected < 0) return $"unknown command \"{verb}\"";
        if (arguments != expected) return $"{verb} takes {expected} argument{(expected == 1 ? "" : "s")}, got {arguments}";
        if (verb is "use-setpoint" or "set-temp")
        {
            var setpoint = Int("set point", command[1]);
            if (JulaboLimits.CheckSetpoint(setpoint) is { } bad) return bad;
        }
        if (verb == "set-temp") return JulaboLimits.CheckTemperature(Number("temperature", command[2]), options.TempMin, options.TempMax);
        return null;
    }

    private static async Task<int> ExecuteAsync(JulaboConnection c, List<string> command, TextWriter output, CancellationToken ct)
    {
        switch (command[0])
        {
            case "status":
                await output.WriteLineAsync($"version          {await c.ReadVersionAsync(ct)}");
                await output.WriteLineAsync($"status           {await c.ReadStatusAsync(ct)}");
                await output.WriteLineAsync($"bath             {await ReadNumber(c, JulaboProtocol.ReadBathTemperature(), ct)} °C");
                await output.WriteLineAsync($"external Pt100   {await ReadNumber(c, JulaboProtocol.ReadExternalTemperature(), ct)} °C");
                await output.WriteLineAsync($"power            {await ReadNumber(c, JulaboProtocol.ReadPower(), ct)} %");
                for (var sp = 1; sp <= JulaboProtocol.SetpointCount; sp++)
                    await output.WriteLineAsync($"set point {sp}      {await ReadNumber(c, JulaboProtocol.ReadSetpoint(sp), ct)} °C");
                await output.WriteLineAsync($"set point in use {await c.QueryAsync(JulaboProtocol.ReadSelectedSetpoint(), JulaboProtocol.ParseSelectedSetpoint, ct)}");
                var external = await c.QueryAsync(JulaboProtocol.ReadExternalControl(), JulaboProtocol.ParseFlag, ct);
                await output.WriteLineAsync($"control sensor   {(external ? "external" : "internal")}");
                return Ok;
            case "read-temp":
                await output.WriteLineAsync($"bath             {await ReadNumber(c, JulaboProtocol.ReadBathTemperature(), ct)} °C");
                await output.WriteLineAsync($"external Pt100   {await ReadNumber(c, JulaboProtocol.ReadExternalTemperature(), ct)} °C");
                return Ok;
            case "set-temp":
                return await SendAndCheckAsync(c, JulaboProtocol.WriteSetpoint(Int("set point", command[1]), Number("temperature", command[2])), output, ct);
            case "use-setpoint":
                return await SendAndCheckAsync(c, JulaboProtocol.SelectSetpoint(Int("set point", command[1])), output, ct);
            default:
                return await SendAndCheckAsync(c, JulaboProtocol.StartStop(command[0] == "start"), output, ct);
        }
    }

    // OUT_ commands have no reply: the following STATUS tells whether the unit took it.
    private static async Task<int> SendAndCheckAsync(JulaboConnection c, JulaboCommand command, TextWriter output, CancellationToken ct)
    {
        await c.SendAsync(command, ct);
        var status = await c.ReadStatusAsync(ct);
        if (status.IsAlarm) return await Fail(output, ChillerError, $"sent {command}, the unit answers {status}");
        if (!status.IsRemote) return await Fail(output, ChillerError, $"sent {command}, but the unit is in manual mode ({status}) and ignores remote commands");
        await output.WriteLineAsync($"sent {command}; status {status}");
        return Ok;
    }

    private static async Task<string> ReadNumber(JulaboConnection c, JulaboCommand command, CancellationToken ct) =>
        JulaboProtocol.FormatNumber(await c.QueryAsync(command, JulaboProtocol.ParseNumber, ct));

    private static async Task<int> Fail(TextWriter output, int code, string message, bool usage = false)
    {
        await output.WriteLineAsync($"julabo: {message}");
        if (usage) await output.WriteLineAsync("run \"julabo --help\" for usage");
        return code;
    }

    private static int Int(string what, string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{what}: \"{value}\" is not an integer");

    private static double Number(string what, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n)
            ? n
            : throw new FormatException($"{what}: \"{value}\" is not a number");

    private static T Enum<T>(string what, string value) where T : struct, Enum =>
        System.Enum.TryParse<T>(value, ignoreCase: true, out var e) && System.Enum.IsDefined(e)
            ? e
            : throw new FormatException($"{what}: \"{value}\" is not one of {string.Join(", ", System.Enum.GetNames<T>())}");
}
