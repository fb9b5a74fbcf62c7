namespace TrackerDcs.Bench;

/// <summary>
/// The command line: <c>--messages N</c> (messages each publisher sends), <c>--quick</c>, <c>--rounds K</c> (each
/// scenario K times, reported as medians: one round on the shared cores moves by up to 2× between runs) and
/// <c>--fan-in</c> (the fan-in scenarios only) and <c>--env NAME=VALUE</c> (repeatable: set for the TrackerDcs process only,
/// to compare runtime settings such as <c>DOTNET_gcServer=1</c> under the same load generator).
/// </summary>
public sealed record BenchOptions(int MessagesPerPublisher, int WarmUpMessages, int Rounds = 1, bool FanInOnly = false,
    IReadOnlyDictionary<string, string>? ProcessEnvironment = null)
{
    private const int DefaultMessages = 20_000;
    private const int QuickMessages = 2_000;

    /// <param name="defaultMessages">Messages per publisher unless --messages says otherwise (the retained bench, paced by the disk, sends fewer).</param>
    public static BenchOptions Parse(string[] args, int defaultMessages = DefaultMessages)
    {
        var messages = defaultMessages;
        var quick = false;
        var rounds = 1;
        var fanInOnly = false;
        var environment = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    messages = QuickMessages;
                    break;
                case "--messages" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                    messages = n;
                    i++;
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var k) && k > 0:
                    rounds = k;
                    i++;
                    break;
                case "--fan-in":
                    fanInOnly = true;
                    break;
                case "--env" when i + 1 < args.Length && args[i + 1].IndexOf('=') > 0:
                    environment[args[i + 1][..args[i + 1].IndexOf('=')]] = args[i + 1][(args[i + 1].IndexOf('=') + 1)..];
                    i++;
                    break;
                default:
                    throw new ArgumentException($"unknown or incomplete option '{args[i]}'; usage: [retained] [--messages N] [--quick] [--rounds K] [--fan-in] [--env NAME=VALUE] | ca [options] | julabo [options]");
            }
        }
        // The warm-up lets the JIT and both brokers' buffers settle before anything is measured. Half a measured round (at
        // most 10,000 per publisher): after 2,000 the first measured QoS 0 fan-in still ran at 0.44× Mosquitto and dropped
        // messages, with TrackerDcs's tiered JIT at work (Mosquitto needs none); the rounds after it ran at 1.0×.
        return new BenchOptions(messages, Math.Min(quick ? 500 : 10_000, Math.Max(100, messages / 2)), rounds, fanInOnly, environment);
    }
}
