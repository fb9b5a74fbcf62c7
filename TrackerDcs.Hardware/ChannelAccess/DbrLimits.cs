namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// Display, alarm and control limits of DBR_GR_x / DBR_CTRL_x, in the order db_access.h lays them out.
/// The control limits are carried by DBR_CTRL_x only.
/// </summary>
public readonly record struct DbrLimits(
    double UpperDisplay, double LowerDisplay,
    double UpperAlarm, double UpperWarning, double LowerWarning, double LowerAlarm,
    double UpperControl, double LowerControl);
