using System.Text.RegularExpressions;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Platform;

/// <summary>
/// The folders of TrackerDcs.Web import each other without a cycle, so each area can be read, changed and tested
/// with only what it depends on. A folder is an area (Alarms, Broker, …); each device under Devices/ is one of its
/// own. A folder depends on another when one of its files names the other's namespace (a using, a qualified name)
/// or, from a nested namespace, a type the enclosing one declares.
/// </summary>
public sealed partial class WebFolderDependencyTests
{
    private static readonly string Web = Repository.File("TrackerDcs.Web");

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        var graph = Dependencies();
        Assert.True(graph.Count > 10, $"only {graph.Count} folders found under {Web}");
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"the folders import each other in a circle: {string.Join(" → ", cycle ?? [])}");
    }

    [Fact]
    public void The_scan_sees_the_dependencies_that_exist()
    {
        // Guards the test above against a scan that finds nothing: these edges are the design.
        var graph = Dependencies();
        Assert.Contains("Commands", graph["Devices/Caen"]);
        Assert.Contains("Devices", graph["Devices/Caen"]);      // PublishLoop, named from the nested namespace
        Assert.Contains("Devices/Caen", graph["Panel"]);        // through _Imports.razor
        Assert.Contains("Alarms", graph["Interlocks"]);         // a qualified name, Alarms.AlarmSeverity
    }

    /// <summary>Folder → the folders its files name.</summary>
    private static Dictionary<string, HashSet<string>> Dependencies()
    {
        var files = Directory.EnumerateFiles(Web, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Web, f).Replace('\\', '/'))
            .Where(f => f.Contains('/') && !f.StartsWith("obj/", StringComparison.Ordinal) && !f.StartsWith("bin/", StringComparison.Ordinal))
            .ToList();
        var text = files.ToDictionary(f => f, f => File.ReadAllText(Path.Combine(Web, f)));
        var folders = files.Select(Folder).ToHashSet();
        // The types each folder declares, for names qualified by a folder (Alarms.AlarmSeverity) or inherited by nesting.
        var declared = folders.ToDictionary(f => f, f => files.Where(x => Folder(x) == f)
            .SelectMany(x => Declaration().Matches(text[x]).Select(m => m.Groups[1].Value)).ToHashSet());
        var graph = folders.ToDictionary(f => f, _ => new HashSet<string>());
        foreach (var file in files)
        {
            var from = Folder(file);
            var source = text[file];
            foreach (Match m in Namespace().Matches(source)) graph[from].Add(FolderOf(m.Groups[1].Value));
            foreach (var other in folders.Where(o => o != from))
            {
                var qualifier = other.Replace('/', '.');
                if (declared[other].Any(type => Regex.IsMatch(source, $@"(?<![\w.]){Regex.Escape(qualifier)}\.{type}\b"))) graph[from].Add(other);
                // A nested namespace sees its parents' types without a using.
                if (from.StartsWith(other + "/", StringComparison.Ordinal) && declared[other].Any(type => Regex.IsMatch(source, $@"\b{type}\b")))
                    graph[from].Add(other);
            }
            graph[from].Remove(from);
        }
        foreach (var edges in graph.Values) edges.IntersectWith(folders);
        return graph;
    }

    private static string Folder(string file)
    {
        var parts = file.Split('/');
        return parts[0] == "Devices" && parts.Length > 2 ? $"Devices/{parts[1]}" : parts[0];
    }

    private static string FolderOf(string ns)
    {
        var parts = ns.Split('.');
        return parts[0] == "Devices" && parts.Length > 1 ? $"Devices/{parts[1]}" : parts[0];
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>();   // 1 on the path, 2 done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph[node].Order())
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path.Skip(path.IndexOf(next)), next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } cycle) return cycle;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        return graph.Keys.Order().Where(n => state.GetValueOrDefault(n) == 0).Select(Visit).FirstOrDefault(c => c is not null);
    }

    [GeneratedRegex(@"\bTrackerDcs\.Web\.((?:[A-Z]\w*)(?:\.[A-Z]\w*)?)")]
    private static partial Regex Namespace();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum|delegate\s+\S+)\s+([A-Z]\w*)")]
    private static partial Regex Declaration();
}
