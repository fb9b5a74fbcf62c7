using System.Collections;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>How the server puts a <see cref="ProcessVariable"/> on the wire and takes a client's put off it.</summary>
internal static class ProcessVariableWire
{
    /// <summary>Everything any DBR structure can carry; the codec keeps what the requested class holds.</summary>
    /// <exception cref="CaException">ECA_GETFAIL: the simulator stored a value that does not convert to the PV's type.</exception>
    public static DbrValue Read(this ProcessVariable pv)
    {
        var now = pv.Snapshot();
        return new DbrValue(pv.Type, Native(pv, now.Value))
        {
            Status = now.Status,
            Severity = now.Severity,
            Timestamp = now.Timestamp,
            Units = pv.Units,
            Precision = pv.Precision,
            EnumStrings = pv.EnumStrings,
            Limits = new DbrLimits(pv.HighLimit, pv.LowLimit, 0, 0, 0, 0, pv.HighLimit, pv.LowLimit),
            AckTransient = now.AckTransient,
            AckSeverity = now.AckSeverity,
            RecordType = pv.RecordType,
        };
    }

    public static uint ElementCount(this ProcessVariable pv) => (uint)Native(pv, pv.Value).Length;

    private static Array Native(ProcessVariable pv, object value)
    {
        try
        {
            return CaValueConverter.ToNative(value, pv.Type, pv.EnumStrings);
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or FormatException or OverflowException or CaException)
        {
            throw new CaException(CaStatus.GetFail, $"{pv.Name} holds a {value.GetType().Name} that is not a {pv.Type}: {e.Message}");
        }
    }

    /// <summary>
    /// Converts a client's put to the PV's native type: a scalar when the PV holds a scalar, else an array.
    /// </summary>
    /// <exception cref="CaException">ECA_NOCONVERT when the value cannot be converted.</exception>
    public static object FromWire(this ProcessVariable pv, DbrValue put)
    {
        var values = CaValueConverter.Convert(put.Values, put.Type, pv.Type, pv.EnumStrings, pv.Precision);
        return pv.Value is Array || values.Length != 1 ? values : values.GetValue(0)!;
    }

    /// <summary>Whether two snapshots hold the same value (arrays compared element by element).</summary>
    public static bool SameValue(object a, object b) => StructuralComparisons.StructuralEqualityComparer.Equals(a, b);
}
