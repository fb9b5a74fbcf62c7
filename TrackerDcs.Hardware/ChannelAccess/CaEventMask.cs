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

/// <summary>CA_PROTO_ACCESS_RIGHTS parameter 2: bit 0 read access, bit 1 write access.</summary>
[Flags]
public enum CaAccessRights : uint
{
    None = 0,
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,
}
