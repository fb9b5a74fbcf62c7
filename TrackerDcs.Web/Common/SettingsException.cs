namespace TrackerDcs.Web.Common;

/// <summary>A setting that cannot be used. The message names the key, so the fix is obvious from the log.</summary>
public sealed class SettingsException(string key, string problem) : Exception($"setting '{key}': {problem}")
{
    public string Key { get; } = key;
}
