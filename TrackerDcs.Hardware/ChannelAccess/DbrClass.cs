namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// The structure classes of db_access.h: DBR_x, DBR_STS_x, DBR_TIME_x, DBR_GR_x, DBR_CTRL_x, and the two
/// structures that exist for strings only, outside the class × 7 numbering: DBR_STSACK_STRING (37, the alarm
/// handler's: status, severity, ackt, acks, value) and DBR_CLASS_NAME (38, the record type's name).
/// </summary>
public enum DbrClass : ushort { Plain = 0, Status = 1, Time = 2, Graphic = 3, Control = 4, StatusAck = 5, ClassName = 6 }
