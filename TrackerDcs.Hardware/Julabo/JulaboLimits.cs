using System.Globalization;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// Checks operator input before anything goes to the unit. Each method returns null when the value is
/// acceptable, or the reason it is not, in words an operator understands.
/// </summary>
public static class JulaboLimits
{
    public const int PumpStageMin = 1;
    public const int PumpStageMax = 4;

    public static string? CheckSetpoint(int setpoint) =>
        setpoint is >= 1 and <= JulaboProtocol.SetpointCount ? null : $"set point {setpoint} does not exist (the unit has set points 1..3)";

    public static string? CheckTemperature(double celsius, double min, double max) =>
        double.IsFinite(celsius) && celsius >= min && celsius <= max
            ? null
            : $"temp {Format(celsius)} is outside the limits {Format(min)}..{Format(max)} °C";

    /// <summary>
    /// A set point outside the unit's warning band would drive the bath into its own -03/-04 warning:
    /// refused, naming the limit and the setting it comes from.
    /// </summary>
    public static string? CheckWarningBand(double celsius, double low, double high) =>
        celsius > high ? $"temp {Format(celsius)} is above the chiller's high temperature warning limit {Format(high)} °C (Julabo:WarningLimitHigh)"
        : celsius < low ? $"temp {Format(celsius)} is below the chiller's low temperature warning limit {Format(low)} °C (Julabo:WarningLimitLow)"
        : null;

    public static string? CheckPumpStage(int stage) =>
        stage is >= PumpStageMin and <= PumpStageMax ? null : $"pump pressure stage {stage} is outside {PumpStageMin}..{PumpStageMax}";

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
