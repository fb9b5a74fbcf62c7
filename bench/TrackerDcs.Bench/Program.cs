using TrackerDcs.Bench;

// Load generator: the same scenarios, with the same MQTTnet client code, against the embedded broker of
// TrackerDcs and against Mosquitto, one broker at a time so they never compete for the two cores.
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
var trackerDcs = "TrackerDcs";
var mosquitto = "Mosquitto";
var report = new Report(trackerDcs, mosquitto);
Console.WriteLine($"{options.MessagesPerPublisher:N0} messages per publisher, {Scenario.PayloadBytes}-byte payloads, {Environment.ProcessorCount} cores");

foreach (var create in new Func<BrokerUnderTest>[] { () => new TrackerDcsBroker(), () => new MosquittoBroker() })
{
    await using var broker = create();
    Console.WriteLine($"{broker.Name} on 127.0.0.1:{broker.Port}");
    await broker.StartAsync(cancel.Token);
    foreach (var scenario in warmUp) await scenario.RunAsync(broker, cancel.Token);
    foreach (var scenario in scenarios) report.Add(await scenario.RunAsync(broker, cancel.Token));
}

report.PrintTable();
return 0;
