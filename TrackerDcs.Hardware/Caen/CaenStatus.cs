namespace TrackerDcs.Hardware.Caen;

/// <summary>The channel status word (the Status field), bit by bit as docs/architecture.md lists it.</summary>
[Flags]
public enum CaenStatus
{
    None = 0,
    On = 1 << 0,
    RampingUp = 1 << 1,
    RampingDown = 1 << 2,
    OverCurrent = 1 << 3,
    OverVoltage = 1 << 4,
    UnderVoltage = 1 << 5,
    ExternalTrip = 1 << 6,
    AtMaxV = 1 << 7,
    ExternalDisable = 1 << 8,
    InternalTrip = 1 << 9,
    CalibrationError = 1 << 10,
    Unplugged = 1 << 11,
}

public static class CaenStatusWords
{
    private static readonly (CaenStatus Bit, string Word)[] Words =
    [
        (CaenStatus.On, "on"),
        (CaenStatus.RampingUp, "ramping up"),
        (CaenStatus.RampingDown, "ramping down"),
        (CaenStatus.OverCurrent, "over-current"),
        (CaenStatus.OverVoltage, "over-voltage"),
        (CaenStatus.UnderVoltage, "under-voltage"),
        (CaenStatus.ExternalTrip, "external trip"),
        (CaenStatus.AtMaxV, "at max V"),
        (CaenStatus.ExternalDisable, "external disable"),
        (CaenStatus.InternalTrip, "internal trip"),
        (CaenStatus.CalibrationError, "calibration error"),
        (CaenStatus.Unplugged, "unplugged"),
    ];

    /// <summary>The set bits as words, lowest bit first; "off" for a word with no bit set.</summary>
    public static IReadOnlyList<string> Describe(int status)
    {
        var words = Words.Where(w => (status & (int)w.Bit) != 0).Select(w => w.Word).ToList();
        var unknown = status & ~Words.Aggregate(0, (all, w) => all | (int)w.Bit);
        if (unknown != 0) words.Add($"unknown bits 0x{unknown:x}");
        return words.Count == 0 ? ["off"] : words;
    }

    public static string Text(int status) => string.Join(", ", Describe(status));
}
