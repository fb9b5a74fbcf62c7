using TrackerDcs.Bench;

// Load generator: the same scenarios, with the same MQTTnet client code, against the embedded broker of
// TrackerDcs and against Mosquitto. Both run for the whole bench but only one is loaded at a time; each
// scenario runs on one broker right after the other, so a change in the machine's background load (the
// cores are shared) hits both figures of a row alike rather than all of one broker's.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Unwind normally so the broker processes are killed and their directories removed.
    e.Cancel = true;
    cancel.Cancel();
};

var scenarios = Scenario.Standard(options.MessagesPerPublisher);
var warmUp = Scenario.Standard(options.WarmUpMessages);
var report = new Report(TrackerDcsBroker.Label, MosquittoBroker.Label);
Console.WriteLine($"{options.MessagesPerPublisher:N0} messages per publisher, {Scenario.PayloadBytes}-byte payloads, {Environment.ProcessorCount} cores");

await using var trackerDcs = new TrackerDcsBroker();
await using var mosquitto = new MosquittoBroker();
BrokerUnderTest[] brokers = [trackerDcs, mosquitto];
foreach (var broker in brokers)
{
    Console.WriteLine($"{broker.Name} on 127.0.0.1:{broker.Port}");
    await broker.StartAsync(cancel.Token);
}
foreach (var broker in brokers)
foreach (var scenario in warmUp)
    await scenario.RunAsync(broker, cancel.Token);
foreach (var scenario in scenarios)
foreach (var broker in brokers)
    report.Add(await scenario.RunAsync(broker, cancel.Token));

report.PrintTable();
return 0;
