namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// ECA status codes carried in READ_NOTIFY/WRITE_NOTIFY/EVENT_ADD responses and CA_PROTO_ERROR.
/// caerr.h: code = (message number &lt;&lt; 3) | severity, severity 0 warning, 1 success, 2 error, 3 info.
/// </summary>
public static class CaStatus
{
    public const uint Normal = (0 << 3) | 1;
    public const uint BadChannelId = (13 << 3) | 2;
    public const uint BadType = (14 << 3) | 2;
    public const uint GetFail = (19 << 3) | 0;
    public const uint PutFail = (20 << 3) | 0;
    public const uint BadCount = (22 << 3) | 0;
    public const uint Disconnected = (24 << 3) | 3;
    public const uint NoReadAccess = (46 << 3) | 0;
    public const uint NoWriteAccess = (47 << 3) | 0;
    public const uint NoConvert = (50 << 3) | 0;

    public static bool IsSuccess(uint status) => (status & 1) == 1;

    public static string Describe(uint status) => status switch
    {
        Normal => "Normal successful completion",
        BadChannelId => "Invalid channel identifier",
        BadType => "The requested type is unknown",
        GetFail => "Could not perform a value get for that channel",
        PutFail => "Could not perform a value put for that channel",
        BadCount => "Count requested inappropriate for that channel",
        Disconnected => "Network connection lost",
        NoReadAccess => "Read access denied",
        NoWriteAccess => "Write access denied",
        NoConvert => "Data conversion between client's type and the server's type failed",
        _ => $"CA status {status} (message {status >> 3}, severity {status & 7})",
    };
}
