namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>CA_PROTO_ACCESS_RIGHTS parameter 2: bit 0 read access, bit 1 write access.</summary>
[Flags]
public enum CaAccessRights : uint
{
    None = 0,
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,
}
