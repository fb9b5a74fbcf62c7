namespace TrackerDcs.Web.Panel.Services;

/// <summary>
/// The Runs page's "Start a run" form as the operator left it: scoped to the browser's circuit, so leaving the page
/// and coming back keeps the calibration, modules and comment (issue 20). A reload of the browser starts afresh.
/// </summary>
public sealed class RunDraft
{
    public string? Calibration { get; set; }
    public IReadOnlyCollection<string> Modules { get; set; } = [];
    public string? Comment { get; set; }
}
