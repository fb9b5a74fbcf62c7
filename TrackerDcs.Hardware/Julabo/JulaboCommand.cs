using System.Globalization;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// One command of the Julabo RS-232 command set: a name such as <c>IN_PV_00</c> and, for the OUT_
/// commands, one argument. Build them with the factories on <see cref="JulaboProtocol"/>.
/// </summary>
public sealed record JulaboCommand(string Name, string? Argument = null)
{
    /// <summary>
    /// VERSION, STATUS and the IN_ commands are answered with one line; the unit answers nothing to
    /// OUT_ commands (a refused value shows up as a negative STATUS code instead).
    /// </summary>
    public bool ExpectsReply => !Name.StartsWith("OUT_", StringComparison.Ordinal);

    /// <summary>The argument as a number, for the simulator; null when absent or not a number.</summary>
    public double? NumericArgument =>
        double.TryParse(Argument, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    public override string ToString() => Argument is null ? Name : $"{Name} {Argument}";
}
