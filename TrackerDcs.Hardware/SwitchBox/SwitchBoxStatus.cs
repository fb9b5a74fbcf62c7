using System.Numerics;

namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>
/// What the box reports: its LV and HV relays and the 48 channel relays, as the bit mask of its status
/// line (bit n-1 is channel n). Plain values, no rules: a status may break the rules (a welded relay,
/// a box switched by hand); <see cref="SwitchBoxRules.BrokenBy"/> says which.
/// </summary>
public sealed record SwitchBoxStatus
{
    public SwitchBoxStatus(bool lv, bool hv, ulong channels)
    {
        if (channels > SwitchBoxProtocol.AllChannels)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"the box has {SwitchBoxProtocol.ChannelCount} channels: bits 0..47");
        Lv = lv;
        Hv = hv;
        Channels = channels;
    }

    /// <summary>The box at power-up: every relay open.</summary>
    public static readonly SwitchBoxStatus AllOff = new(false, false, 0);

    public bool Lv { get; }
    public bool Hv { get; }

    /// <summary>The channel mask: bit n-1 set when channel n is enabled.</summary>
    public ulong Channels { get; }

    public int EnabledCount => BitOperations.PopCount(Channels);

    /// <summary>The enabled channels, numbered 1..48, in ascending order.</summary>
    public IReadOnlyList<int> EnabledChannels
    {
        get
        {
            var list = new List<int>(EnabledCount);
            for (var mask = Channels; mask != 0; mask &= mask - 1) list.Add(BitOperations.TrailingZeroCount(mask) + 1);
            return list;
        }
    }

    public bool IsEnabled(int channel) => (Channels & SwitchBoxProtocol.Bit(channel)) != 0;

    public SwitchBoxStatus WithChannel(int channel, bool on) =>
        new(Lv, Hv, on ? Channels | SwitchBoxProtocol.Bit(channel) : Channels & ~SwitchBoxProtocol.Bit(channel));

    /// <summary>For messages: "LV on, HV off, channels 1, 5 enabled".</summary>
    public override string ToString() =>
        $"LV {(Lv ? "on" : "off")}, HV {(Hv ? "on" : "off")}, " +
        (Channels == 0 ? "no channel enabled" : $"channel{(EnabledCount == 1 ? "" : "s")} {string.Join(", ", EnabledChannels)} enabled");
}
