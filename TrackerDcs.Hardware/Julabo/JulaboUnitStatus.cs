namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// The answer to STATUS: a code and the unit's text. 00 manual stop, 01 manual start, 02 remote stop,
/// 03 remote start; a negative code is an alarm or an error (e.g. -08 INVALID COMMAND).
/// </summary>
public readonly record struct JulaboUnitStatus(int Code, string Text)
{
    public const int ManualStop = 0;
    public const int ManualStart = 1;
    public const int RemoteStop = 2;
    public const int RemoteStart = 3;

    // Warnings of the bath leaving the band set with OUT_SP_03 / OUT_SP_04.
    public const int ExcessTemperatureWarning = -3;
    public const int LowTemperatureWarning = -4;

    // Error codes the simulator raises for bad input; the names are those printed by real units.
    public const int InvalidCommand = -8;
    public const int CommandNotAllowed = -9;
    public const int ValueTooSmall = -10;
    public const int ValueTooLarge = -11;

    public bool IsAlarm => Code < 0;
    public bool IsRemote => Code is RemoteStop or RemoteStart;
    public bool IsRunning => Code is ManualStart or RemoteStart;

    /// <summary>The unit refused the last command or its value (-08 .. -11): reported once by the next STATUS.</summary>
    public bool IsEntryError => Code is InvalidCommand or CommandNotAllowed or ValueTooSmall or ValueTooLarge;

    /// <summary>The text a unit prints for the four operating codes, for building replies.</summary>
    public static JulaboUnitStatus ForMode(bool remote, bool running) => (remote, running) switch
    {
        (false, false) => new(ManualStop, "MANUAL STOP"),
        (false, true) => new(ManualStart, "MANUAL START"),
        (true, false) => new(RemoteStop, "REMOTE STOP"),
        (true, true) => new(RemoteStart, "REMOTE START"),
    };

    public override string ToString() => JulaboProtocol.FormatStatus(this);
}
