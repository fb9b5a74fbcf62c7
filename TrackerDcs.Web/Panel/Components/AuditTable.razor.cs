using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Audit;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>Audit entries as a table, newest first as the log returns them.</summary>
public partial class AuditTable
{
    [Parameter] public IReadOnlyList<AuditEntry> Entries { get; set; } = [];

    private static string Cut(string payload) => payload.Length <= 60 ? payload : payload[..60] + "…";
}
