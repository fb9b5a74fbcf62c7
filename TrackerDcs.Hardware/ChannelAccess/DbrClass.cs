namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>The structure classes of db_access.h: DBR_x, DBR_STS_x, DBR_TIME_x, DBR_GR_x, DBR_CTRL_x.</summary>
public enum DbrClass : ushort { Plain = 0, Status = 1, Time = 2, Graphic = 3, Control = 4 }
