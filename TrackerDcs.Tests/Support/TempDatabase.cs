using Microsoft.Extensions.Configuration;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Support;

/// <summary>The embedded SQLite database in a data directory of its own, removed with it: the real store for in-process tests.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        var path = Directory.CreateTempSubdirectory("trackerdcs-inprocess-").FullName;
        Data = new DataDirectory(new ConfigurationBuilder().AddInMemoryCollection([new("Data:Directory", path)]).Build());
        Database = new Database(Data);
    }

    public DataDirectory Data { get; }
    public Database Database { get; }

    public void Dispose()
    {
        // Pooled connections keep the file open; release them before the directory goes.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Data.Path, recursive: true);
    }
}
