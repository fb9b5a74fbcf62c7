using System.Runtime.InteropServices;
using TrackerDcs.Bench;

// Load generator: the same scenarios, with the same MQTTnet client code, against the embedded broker of
// TrackerDcs and against Mosquitto. Both run for the whole bench but only one is loaded at a time; each
// scenario runs on one broker right after the other, so a change in the machine's background load (the
// cores are shared) hits both figures of a row alike rather than all of one broker's.
// `-- ca`, `-- julabo` and `-- marta` run the device benches, `-- iv` an IV scan against its minimum time, `-- site` 10 to 50
// simulated stands into a RabbitMQ cluster and a site instance; `-- retained`
// the broker with retained QoS 1 publishes against Mosquitto with persistence; anything else is the broker bench (the
// default).
var bench = args is ["ca", ..] or ["julabo", ..] or ["marta", ..] or ["iv", ..] or ["site", ..] or ["retained", ..] ? args[0] : "broker";
var rest = bench == "broker" ? args : args[1..];
BenchOptions options = null!;
CaBench.Options caOptions = null!;
JulaboBench.Options julaboOptions = null!;
MartaBench.Options martaOptions = null!;
IvBench.Options ivOptions = null!;
SiteBench.Options siteOptions = null!;
try
{
    switch (bench)
    {
        case "ca": caOptions = CaBench.Options.Parse(rest); break;
        case "julabo": julaboOptions = JulaboBench.Options.Parse(rest); break;
        case "marta": martaOptions = MartaBench.Options.Parse(rest); break;
        case "iv": ivOptions = IvBench.Options.Parse(rest); break;
        case "site": siteOptions = SiteBench.Options.Parse(rest); break;
        case "retained": options = BenchOptions.Parse(rest, defaultMessages: 2_000); break;
        default: options = BenchOptions.Parse(rest); break;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// Ctrl+C and SIGTERM (e.g. from `timeout`) unwind normally, so the broker processes are killed and their
// directories removed instead of outliving the bench.
using var cancel = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

try
{
    switch (bench)
    {
        case "ca": await CaBench.RunAsync(caOptions, cancel.Token); break;
        case "julabo": await JulaboBench.RunAsync(julaboOptions, cancel.Token); break;
        case "marta": await MartaBench.RunAsync(martaOptions, cancel.Token); break;
        case "iv": await IvBench.RunAsync(ivOptions, cancel.Token); break;
        case "site": await SiteBench.RunAsync(siteOptions, cancel.Token); break;
        case "retained":
            // Each broker keeps what it acknowledged its own way: TrackerDcs fsyncs before the PUBACK, Mosquitto
            // saves every autosave_interval. The price of the difference is what this run shows.
            await RunAsync(options, Scenario.Retained, new MosquittoUnderTest(persistence: true), cancel.Token);
            break;
        default: await RunAsync(options, Scenario.Standard, new MosquittoUnderTest(), cancel.Token); break;
    }
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}

static async Task RunAsync(BenchOptions options, Func<int, IReadOnlyList<Scenario>> scenarioSet, MosquittoUnderTest reference,
    CancellationToken cancellationToken)
{
    var scenarios = scenarioSet(options.MessagesPerPublisher).Where(s => !options.FanInOnly || s.Subscribers == 1).ToList();
    var warmUp = scenarioSet(options.WarmUpMessages);
    var report = new Report(TrackerDcsBroker.Label, reference.Name);
    Console.WriteLine($"{options.MessagesPerPublisher:N0} messages per publisher, {Scenario.PayloadBytes}-byte payloads, {options.Rounds} round(s), {Environment.ProcessorCount} cores");

    await using var trackerDcs = new TrackerDcsBroker(environment: options.ProcessEnvironment);
    await using var mosquitto = reference;
    BrokerUnderTest[] brokers = [trackerDcs, mosquitto];
    foreach (var broker in brokers)
    {
        Console.WriteLine($"{broker.Name} on 127.0.0.1:{broker.Port}");
        await broker.StartAsync(cancellationToken);
    }
    foreach (var broker in brokers)
    foreach (var scenario in warmUp)
        await scenario.RunAsync(broker, cancellationToken);
    for (var round = 0; round < options.Rounds; round++)
    foreach (var scenario in scenarios)
    foreach (var broker in brokers)
        report.Add(await scenario.RunAsync(broker, cancellationToken));

    report.PrintTable();
}
