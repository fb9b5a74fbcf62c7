namespace TrackerDcs.Hardware.Caen;

/// <summary>Which of a channel's two supplies a setting, PV or command concerns.</summary>
public enum PowerKind { Lv, Hv }

/// <summary>
/// The SY4527 population of the test stand (docs/architecture.md, "CAEN over EPICS Channel Access"): LV boards 0–4 with channels 0–7,
/// HV boards 12–15 with channels 0–11.
/// </summary>
public static class CaenBoards
{
    public const int LvFirstBoard = 0, LvLastBoard = 4, LvChannels = 8;
    public const int HvFirstBoard = 12, HvLastBoard = 15, HvChannels = 12;

    /// <summary>The HV boards' rating: no set point above it is accepted, from the file or a command.</summary>
    public const double HvMaxVolts = 1000;

    public static (int First, int Last, int Channels) Range(PowerKind kind) => kind == PowerKind.Lv
        ? (LvFirstBoard, LvLastBoard, LvChannels)
        : (HvFirstBoard, HvLastBoard, HvChannels);

    public static IEnumerable<(int Board, int Channel)> AllChannels(PowerKind kind)
    {
        var (first, last, channels) = Range(kind);
        for (var board = first; board <= last; board++)
            for (var channel = 0; channel < channels; channel++)
                yield return (board, channel);
    }
}
