using TrackerDcs.Hardware;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.MqttDevices;

/// <summary>
/// The command routes of the devices that speak MQTT themselves. The broker holds an operator's publish on a
/// declared command topic back (<see cref="CommandBus.Withholds"/>); the command bus authorizes it and audits it
/// (a declared query is not audited), and this route checks its payload against the declaration and against the
/// device's own guard, if its host registered one (the switch box's rules), before the process publishes it on the
/// same topic, where the device is subscribed. A refused payload is answered on &lt;root&gt;/reply and never published.
/// </summary>
public sealed class MqttDevicePassThrough(MqttDevicesOptions devices, IMqttPublisher publisher, ILogger<MqttDevicePassThrough> log) : IDeviceAccounts
{
    private readonly Dictionary<string, Func<string, string, string?>> _guards = [];

    public string? RootOf(string account) => devices.ByAccount(account)?.Root;

    /// <summary>
    /// A check a device's host adds to its pass-through (topic, payload → null, or why it is refused), such as the
    /// switch box's rules against the status the box published last. Queries are not checked by it.
    /// </summary>
    public void AddGuard(string device, Func<string, string, string?> guard)
    {
        lock (_guards) _guards[device] = guard;
    }

    public void Register(CommandBus bus)
    {
        foreach (var (name, device) in devices)
        {
            if (bus.IsDevice(device.Root))
                throw new SettingsException($"{MqttDevicesOptions.SectionName}:{name}:Root", $"'{device.Root}' is the root of a device TrackerDcs drives itself");
            foreach (var command in device.Commands)
                bus.Register(command.Topic, (request, ct) => ForwardAsync(name, command, request, ct), isQuery: command.IsQuery, forwarded: true);
        }
    }

    private async Task<CommandResult> ForwardAsync(string name, MqttDeviceCommand command, CommandRequest request, CancellationToken ct)
    {
        if (command.Refusal(request.Payload) is { } refusal) return CommandResult.Refused(refusal);
        Func<string, string, string?>? guard;
        lock (_guards) guard = _guards.GetValueOrDefault(name);
        if (!command.IsQuery(request.Payload) && guard?.Invoke(request.Topic, request.Payload) is { } refused) return CommandResult.Refused(refused);
        await publisher.PublishAsync(request.Topic, request.Payload, cancellationToken: ct);
        log.LogDebug("MQTT device {Device}: passed {Payload} on {Topic}", name, request.Payload, request.Topic);
        return CommandResult.Done;
    }
}
