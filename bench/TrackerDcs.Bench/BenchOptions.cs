namespace TrackerDcs.Bench;

/// <summary>The command line: <c>--messages N</c> (messages each publisher sends) and <c>--quick</c>.</summary>
public sealed record BenchOptions(int MessagesPerPublisher, int WarmUpMessages)
{
    private const int DefaultMessages = 20_000;
    private const int QuickMessages = 2_000;

    /// <param name="defaultMessages">Messages per publisher unless --messages says otherwise (the retained bench, paced by the disk, sends fewer).</param>
    public static BenchOptions Parse(string[] args, int defaultMessages = DefaultMessages)
    {
        var messages = defaultMessages;
        var quick = false;
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
                default:
                    throw new ArgumentException($"unknown or incomplete option '{args[i]}'; usage: [retained] [--messages N] [--quick] | ca [options] | julabo [options]");
            }
        }
        // A short warm-up lets the JIT and both brokers' buffers settle before anything is measured.
        return new BenchOptions(messages, Math.Min(quick ? 500 : 2_000, Math.Max(100, messages / 4)));
    }
}
