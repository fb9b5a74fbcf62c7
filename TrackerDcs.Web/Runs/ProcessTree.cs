using System.Runtime.InteropServices;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// A process and its descendants on Linux, read from /proc/&lt;pid&gt;/stat (field 4 is the parent pid).
/// The tree is taken before the first signal: a child whose parent dies is re-parented to init and could no
/// longer be found by walking from the root.
/// </summary>
public static class ProcessTree
{
    private const int Sigterm = 15, Sigkill = 9;

    public static IReadOnlyList<int> Of(int root)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            if (ParentOf(pid) is { } parent)
            {
                if (!parents.TryGetValue(parent, out var children)) parents[parent] = children = [];
                children.Add(pid);
            }
        }
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
            if (parents.TryGetValue(tree[i], out var children)) tree.AddRange(children);
        return tree;
    }

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat") && !IsZombie(pid);

    /// <summary>When the process started, in clock ticks after boot (field 22 of stat): with the pid, it names one process, not a later one given the same pid.</summary>
    public static long? StartTicks(int pid) => StatFields(pid) is { Length: > 19 } fields && long.TryParse(fields[19], out var ticks) ? ticks : null;

    public static void Terminate(IEnumerable<int> pids) { foreach (var pid in pids) _ = Kill(pid, Sigterm); }

    public static void KillAll(IEnumerable<int> pids) { foreach (var pid in pids) _ = Kill(pid, Sigkill); }

    /// <summary>SIGTERM to every member; after the grace period SIGKILL to those still alive.</summary>
    public static async Task StopAsync(IReadOnlyCollection<int> pids, TimeSpan grace)
    {
        Terminate(pids);
        var deadline = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < deadline && pids.Any(IsAlive)) await Task.Delay(50);
        KillAll(pids.Where(IsAlive));
    }

    private static int? ParentOf(int pid) => StatFields(pid) is { Length: > 1 } fields && int.TryParse(fields[1], out var parent) ? parent : null;

    private static bool IsZombie(int pid) => StatFields(pid) is [['Z', ..], ..];

    /// <summary>
    /// The fields of /proc/&lt;pid&gt;/stat from the state on (state, ppid, …; proc(5) numbers them from 3), or null when
    /// the process is gone. "pid (comm) state …": comm may hold spaces and parentheses, so the split starts after the last ')'.
    /// </summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    // kill(2): signals a pid that has exited in the meantime fail with ESRCH, which is what we want.
    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
