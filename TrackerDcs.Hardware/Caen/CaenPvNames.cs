namespace TrackerDcs.Hardware.Caen;

/// <summary>PV names of the CAEN IOC (docs/architecture.md): &lt;prefix&gt;:&lt;board, 2 digits&gt;:&lt;channel, 3 digits&gt;:&lt;field&gt;.</summary>
public static class CaenPvNames
{
    /// <summary>The seed's prefix.</summary>
    public const string DefaultPrefix = "cleanroom";

    /// <summary>The value the crate-wide ClearAlarm PV takes to clear every channel's trip.</summary>
    public const string ClearAlarmValue = "Yes";

    public static string Channel(string prefix, int board, int channel, string field) =>
        $"{prefix}:{board:D2}:{channel:D3}:{field}";

    public static string ClearAlarm(string prefix) => $"{prefix}:ClearAlarm";
}
