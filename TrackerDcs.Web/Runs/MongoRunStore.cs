using TrackerDcs.Web.Common;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Driver;
using MongoDB.Driver.GridFS;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// Run documents in MongoDB (collection <c>runs</c>, _id = run number), large result files in the GridFS bucket
/// <c>results</c>. Run numbers come from an atomic $inc on <c>counters</c>, so two processes sharing the database
/// never get the same number either.
/// </summary>
public sealed class MongoRunStore : IRunStore
{
    private readonly IMongoCollection<BsonDocument> _runs;
    private readonly IMongoCollection<BsonDocument> _counters;
    private readonly GridFSBucket _results;
    private readonly MongoClientSettings _settings;

    public MongoRunStore(string connectionString, string database)
    {
        var settings = _settings = MongoClientSettings.FromConnectionString(connectionString);
        // Fail a command within the command bus's time limit when the server is away, instead of the driver's 30 s.
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        var client = new MongoClient(settings);
        var db = client.GetDatabase(database);
        _runs = db.GetCollection<BsonDocument>("runs");
        _counters = db.GetCollection<BsonDocument>("counters");
        _results = new GridFSBucket(db, new GridFSBucketOptions { BucketName = "results" });
    }

    public string Kind => "mongodb";

    public Task<long> NextRunNumberAsync(CancellationToken ct = default) => MongoUnreachable.GuardAsync(_settings, async () =>
    {
        var counter = await _counters.FindOneAndUpdateAsync(
            Builders<BsonDocument>.Filter.Eq("_id", "run"),
            Builders<BsonDocument>.Update.Inc("value", 1L),
            new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After }, ct);
        return counter["value"].ToInt64();
    });

    public Task SaveAsync(RunDocument document, CancellationToken ct = default) => MongoUnreachable.GuardAsync(_settings, () =>
        _runs.ReplaceOneAsync(Builders<BsonDocument>.Filter.Eq("_id", document.Run), ToBson(document), new ReplaceOptions { IsUpsert = true }, ct));

    public Task<RunDocument?> GetAsync(long run, CancellationToken ct = default) => MongoUnreachable.GuardAsync(_settings, async () =>
    {
        var bson = await _runs.Find(Builders<BsonDocument>.Filter.Eq("_id", run)).FirstOrDefaultAsync(ct);
        return bson is null ? null : FromBson(bson);
    });

    public Task<IReadOnlyList<RunDocument>> ListAsync(int limit, CancellationToken ct = default) => MongoUnreachable.GuardAsync(_settings, async () =>
    {
        var documents = await _runs.Find(FilterDefinition<BsonDocument>.Empty).Sort(Builders<BsonDocument>.Sort.Descending("_id")).Limit(limit).ToListAsync(ct);
        return (IReadOnlyList<RunDocument>)[.. documents.Select(FromBson)];
    });

    public Task<string> PutBlobAsync(long run, string name, Stream content, CancellationToken ct = default) => MongoUnreachable.GuardAsync(_settings, async () =>
    {
        var options = new GridFSUploadOptions { Metadata = new BsonDocument { ["run"] = run } };
        var id = await _results.UploadFromStreamAsync(name, content, options, ct);
        return id.ToString();
    });

    public Task<byte[]?> GetBlobAsync(string id, CancellationToken ct = default) => MongoUnreachable.GuardAsync(_settings, async () =>
    {
        if (!ObjectId.TryParse(id, out var key)) return null;
        try
        {
            return await _results.DownloadAsBytesAsync(key, cancellationToken: ct);
        }
        catch (GridFSFileNotFoundException)
        {
            return (byte[]?)null;
        }
    });

    /// <summary>The document as the JSON the SQLite store keeps, keyed by run number; run is always a 64-bit integer.</summary>
    internal static BsonDocument ToBson(RunDocument document)
    {
        var bson = BsonDocument.Parse(JsonSerializer.Serialize(document, Json.Options));
        bson["run"] = document.Run;
        bson.InsertAt(0, new BsonElement("_id", document.Run));
        return bson;
    }

    internal static RunDocument FromBson(BsonDocument bson)
    {
        bson.Remove("_id");
        // Relaxed extended JSON writes numbers as plain JSON numbers, which System.Text.Json reads back.
        return JsonSerializer.Deserialize<RunDocument>(bson.ToJson(new JsonWriterSettings { OutputMode = JsonOutputMode.RelaxedExtendedJson }), Json.Options)!;
    }
}
