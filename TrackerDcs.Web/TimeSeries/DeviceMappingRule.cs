namespace TrackerDcs.Web.TimeSeries;

/// <summary>A mapping rule a device's declaration brings (a device that speaks MQTT itself), added to TimeSeries' own rules.</summary>
/// <param name="Source">The settings key that declared it, for messages.</param>
public sealed record DeviceMappingRule(string Source, MappingRule Rule);
