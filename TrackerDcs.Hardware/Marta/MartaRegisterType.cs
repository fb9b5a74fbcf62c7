namespace TrackerDcs.Hardware.Marta;

/// <summary>The register types of the seed's map (its <c>type:</c> key; <c>int</c> when absent).</summary>
public enum MartaRegisterType
{
    /// <summary>One 16-bit register, unsigned (the seed's InfluxDB fields for these are unsigned integers).</summary>
    Int,
    /// <summary>An IEEE 754 single in two registers, the low word at the lower address.</summary>
    Float32,
    /// <summary>One bit (0–15) of a 16-bit register.</summary>
    Bool,
}
