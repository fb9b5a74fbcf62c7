namespace TrackerDcs.Tests.Runs;

/// <summary>
/// A test that needs a real MongoDB server: TRACKERDCS_TEST_MONGODB names it (a connection string). Without
/// one the test is reported as skipped with that reason; it never passes without having run.
/// </summary>
public sealed class MongoDbFactAttribute : FactAttribute
{
    public const string Variable = "TRACKERDCS_TEST_MONGODB";

    public MongoDbFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
            Skip = $"{Variable} is not set: no MongoDB server to run the run-store contract against (none can be installed here)";
    }

    public static string ConnectionString => Environment.GetEnvironmentVariable(Variable)!;
}
