namespace TrackerDcs.Web.Trends;

/// <summary>A signal as the Trends page lists it: its key (the URL form), a label, the group it is listed under and its unit.</summary>
public sealed record SignalInfo(string Signal, string Label, string Group, string Unit);
