namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>Which changes a subscription is sent (caeventmask.h: DBE_VALUE, DBE_LOG, DBE_ALARM, DBE_PROPERTY).</summary>
[Flags]
public enum CaEventMask : ushort
{
    None = 0,
    Value = 1,
    Log = 2,
    Alarm = 4,
    Property = 8,
}
