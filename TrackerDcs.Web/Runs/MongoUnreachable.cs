using System.Text.RegularExpressions;
using MongoDB.Driver;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// MongoDB not answering, said in one line. The driver's server-selection time-out carries its whole view of the
/// cluster (a screenful per refusal in the log and in a command's reply); what an operator needs is which server
/// did not answer, for how long, and the socket's reason when there is one.
/// </summary>
public sealed partial class MongoUnreachable(string message, Exception inner) : Exception(message, inner)
{
    public static async Task<T> GuardAsync<T>(MongoClientSettings settings, Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (TimeoutException e)
        {
            throw Of(settings, e);
        }
    }

    public static async Task GuardAsync(MongoClientSettings settings, Func<Task> operation) =>
        await GuardAsync(settings, async () => { await operation(); return 0; });

    public static T Guard<T>(MongoClientSettings settings, Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (TimeoutException e)
        {
            throw Of(settings, e);
        }
    }

    internal static MongoUnreachable Of(MongoClientSettings settings, TimeoutException e)
    {
        var cause = SocketReason().Match(e.Message) is { Success: true } m ? $": {m.Groups[1].Value.Trim()}" : "";
        return new MongoUnreachable($"MongoDB {string.Join(", ", settings.Servers)} did not answer within {settings.ServerSelectionTimeout.TotalSeconds:0} s{cause}", e);
    }

    [GeneratedRegex(@"SocketException \(\d+\): ([^""\\\r\n]+)")]
    private static partial Regex SocketReason();
}
