using System.Collections.Concurrent;
using System.Text;

namespace TrackerDcs.Hardware;

/// <summary>
/// The one rule that names a device state on the wire (fsm_state in MQTT payloads and InfluxDB): the seed's
/// UPPER_SNAKE spelling of the enum member, LvOn → LV_ON, HvRamp → HV_RAMP, Co2Running → CO2_RUNNING.
/// Dashboards and scripts depend on these strings, so every device names its states through here.
/// </summary>
public static class StateNames
{
    private static readonly ConcurrentDictionary<Enum, string> Cache = new();

    public static string Wire(this Enum state) => Cache.GetOrAdd(state, static s => Snake(s.ToString()));

    private static string Snake(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            // A word starts at an upper-case letter that follows a lower-case letter or a digit.
            if (i > 0 && char.IsUpper(name[i]) && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]))) text.Append('_');
            text.Append(char.ToUpperInvariant(name[i]));
        }
        return text.ToString();
    }
}
