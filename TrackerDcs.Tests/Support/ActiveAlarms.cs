using System.Text.Json;

namespace TrackerDcs.Tests.Support;

/// <summary>Waiting on the retained alarms/active list through a subscriber to it.</summary>
public static class ActiveAlarms
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static List<JsonElement> Parse(string payload) => JsonDocument.Parse(payload).RootElement.EnumerateArray().ToList();

    /// <summary>The active alarm with this key (e.g. "caen.trip:0/hv"), or null.</summary>
    public static JsonElement? Find(List<JsonElement> active, string key) =>
        active.Cast<JsonElement?>().FirstOrDefault(a => a!.Value.GetProperty("key").GetString() == key);

    /// <summary>Waits until alarms/active satisfies the condition; returns that list.</summary>
    public static async Task<List<JsonElement>> ActiveWhereAsync(this MosquittoSubscriber alarms, Func<List<JsonElement>, bool> condition, string what) =>
        Parse(await alarms.WaitOnAsync("alarms/active", p => condition(Parse(p)), Wait, what));

    public static Task<List<JsonElement>> RaisedAsync(this MosquittoSubscriber alarms, string key) =>
        alarms.ActiveWhereAsync(l => Find(l, key) is not null, $"{key} raised");

    public static Task<List<JsonElement>> ClearedAsync(this MosquittoSubscriber alarms, string key) =>
        alarms.ActiveWhereAsync(l => Find(l, key) is null, $"{key} cleared");
}
