using System.Globalization;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Marta;
using TrackerDcs.Web.Commands;
using CommandTable = TrackerDcs.Hardware.Marta.MartaCommands;

namespace TrackerDcs.Web.Devices.Marta;

/// <summary>
/// MARTA/cmd/&lt;command&gt;: the seed's commands on the command bus. The payload is the seed's: nothing, or a plain
/// number ("0", "1", "-20.5"). It is parsed here; the command table's limits and the state machine are checked by
/// the device, which writes nothing when it refuses.
/// </summary>
public static class MartaCommands
{
    public static void Register(CommandBus bus, MartaService service)
    {
        foreach (var spec in CommandTable.All)
            bus.Register($"{MartaTopics.Root}/cmd/{spec.Name}", (request, ct) =>
                TryParse(spec, request.Payload, out var value, out var error)
                    ? service.Device.ExecuteAsync(spec.Command, value, ct)
                    : Task.FromResult(CommandResult.Refused(error!)));
    }

    /// <summary>
    /// The payload's value: null for a command that takes none (its payload must be empty), else the number it
    /// carries. Only the shape is checked here ("abc" is not a number); NaN, infinities and limits are the table's
    /// (<see cref="MartaCommandSpec.CheckArgument"/>), so the panel, MQTT and the device refuse them alike.
    /// </summary>
    public static bool TryParse(MartaCommandSpec spec, string payload, out double? value, out string? error)
    {
        value = null;
        error = null;
        var text = payload.Trim();
        if (spec.Argument == MartaArgument.None)
        {
            if (text.Length == 0) return true;
            error = $"{spec.Name} takes no value, got '{Shorten(text)}'";
            return false;
        }
        if (text.Length == 0)
        {
            error = $"{spec.Name} needs a value: {spec.Range}";
            return false;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            error = $"{spec.Name}: '{Shorten(text)}' is not a number ({spec.Range})";
            return false;
        }
        value = number;
        if (spec.CheckArgument(number) is { } refused)
        {
            error = refused;
            return false;
        }
        return true;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
