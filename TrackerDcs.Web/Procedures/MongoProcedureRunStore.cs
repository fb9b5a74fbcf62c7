using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Driver;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Runs;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// Procedure runs in MongoDB, beside the calibration runs: collection <c>procedure_runs</c>, _id = run number, the
/// document as the embedded store keeps it. Numbers come from an atomic $inc of <c>counters</c>' "procedure_run", so
/// two processes sharing the database never get the same one either.
/// </summary>
public sealed class MongoProcedureRunStore : IProcedureRunStore
{
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;
    private readonly IMongoCollection<BsonDocument> _runs;
    private readonly IMongoCollection<BsonDocument> _counters;
    private readonly MongoClientSettings _settings;

    public MongoProcedureRunStore(string connectionString, string database)
    {
        var settings = _settings = MongoClientSettings.FromConnectionString(connectionString);
        // A write between two steps fails within seconds when the server is away, instead of the driver's 30 s.
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        var db = new MongoClient(settings).GetDatabase(database);
        _runs = db.GetCollection<BsonDocument>("procedure_runs");
        _counters = db.GetCollection<BsonDocument>("counters");
    }

    public string Kind => "mongodb";

    public long Insert(ProcedureRunDocument document)
    {
        var counter = MongoUnreachable.Guard(_settings, () => _counters.FindOneAndUpdate(Filter.Eq("_id", "procedure_run"), Builders<BsonDocument>.Update.Inc("value", 1L),
            new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After }));
        document.Run = counter["value"].ToInt64();
        Save(document);
        return document.Run;
    }

    public void Save(ProcedureRunDocument document) => MongoUnreachable.Guard(_settings, () =>
        _runs.ReplaceOne(Filter.Eq("_id", document.Run), ToBson(document), new ReplaceOptions { IsUpsert = true }));

    public ProcedureRunDocument? Get(long run) =>
        MongoUnreachable.Guard(_settings, () => _runs.Find(Filter.Eq("_id", run)).FirstOrDefault()) is { } bson ? FromBson(bson) : null;

    public IReadOnlyList<ProcedureRunDocument> List(int limit) => [.. MongoUnreachable.Guard(_settings, () =>
        _runs.Find(FilterDefinition<BsonDocument>.Empty).Sort(Builders<BsonDocument>.Sort.Descending("_id")).Limit(limit).ToList()).Select(FromBson)];

    /// <summary>The same overlap as the embedded store's (a run going on has no end yet), its steps left on the server.</summary>
    public IReadOnlyList<ProcedureSpan> Spans(long fromMs, long toMs, int limit)
    {
        var overlap = Filter.Lt("start_ms", toMs) & (Filter.Gte("end_ms", fromMs) | Filter.Eq("end_ms", BsonNull.Value));
        var fields = Builders<BsonDocument>.Projection.Include("procedure").Include("state").Include("start_ms").Include("end_ms").Include("modules");
        var spans = MongoUnreachable.Guard(_settings, () => _runs.Find(overlap).Project(fields).Sort(Builders<BsonDocument>.Sort.Descending("_id")).Limit(limit).ToList())
            .Select(b => new ProcedureSpan(b["_id"].ToInt64(), b["procedure"].AsString, b["state"].AsString, b["start_ms"].ToInt64(),
                b.GetValue("end_ms", BsonNull.Value) is { IsBsonNull: false } end ? end.ToInt64() : null,
                [.. b.GetValue("modules", new BsonArray()).AsBsonArray.Select(m => m.AsString)]))
            .ToList();
        spans.Reverse();
        return spans;
    }

    public IReadOnlyList<ProcedureRunDocument> Unfinished() => [.. MongoUnreachable.Guard(_settings, () =>
        _runs.Find(Filter.In("state", ["running", "paused"])).Sort(Builders<BsonDocument>.Sort.Ascending("_id")).ToList()).Select(FromBson)];

    /// <summary>The document as the JSON the embedded store keeps, keyed by run number; the times are always 64-bit integers.</summary>
    internal static BsonDocument ToBson(ProcedureRunDocument document)
    {
        var bson = BsonDocument.Parse(JsonSerializer.Serialize(document, Json.Options));
        bson["run"] = document.Run;
        // A small time would parse as a 32-bit integer; the range queries compare them as numbers either way, but a
        // reader of the collection sees one type.
        bson["start_ms"] = document.StartMs;
        bson["end_ms"] = document.EndMs is { } end ? end : BsonNull.Value;
        bson.InsertAt(0, new BsonElement("_id", document.Run));
        return bson;
    }

    internal static ProcedureRunDocument FromBson(BsonDocument bson)
    {
        bson.Remove("_id");
        // Relaxed extended JSON writes numbers as plain JSON numbers, which System.Text.Json reads back.
        return JsonSerializer.Deserialize<ProcedureRunDocument>(bson.ToJson(new JsonWriterSettings { OutputMode = JsonOutputMode.RelaxedExtendedJson }), Json.Options)!;
    }
}
