namespace TrackerDcs.Web.Panel.Components;

/// <summary>One value of a run's conditions: a time (shown in the browser's zone) or a text.</summary>
public abstract record ConditionValue
{
    public sealed record Time(long UnixMs) : ConditionValue;

    /// <param name="Title">The whole value when <paramref name="Value"/> shortens it (a SHA-256).</param>
    public sealed record Text(string Value, string? Title = null) : ConditionValue;
}
