namespace TrackerDcs.Hardware.Marta;

/// <summary>
/// An entry of the map's <c>alarm_codes</c>: a bool register whose bit set means an alarm, with the seed's
/// message. By the plant's naming, <c>_FS</c> (fail-safe) and <c>_TS</c> (safety trip) bits stop the plant
/// (status 3) and <c>_W</c> bits only warn.
/// </summary>
public sealed record MartaAlarmCode(MartaRegister Register, string Message)
{
    public bool FailSafe => IsFailSafe(Register.Name);

    public static bool IsFailSafe(string registerName) => registerName.EndsWith("_FS", StringComparison.Ordinal) || registerName.EndsWith("_TS", StringComparison.Ordinal);
}
