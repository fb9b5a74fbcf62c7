using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>A procedure run's steps (or its on_abort steps) with their times (the browser's zone, the date is the run's) and outcome.</summary>
public partial class StepTable
{
    [Parameter, EditorRequired] public IReadOnlyList<StepRecord> Steps { get; set; } = [];
    [Parameter] public string? AriaLabel { get; set; }

    /// <summary>The outcome without a scan's points (they have their own table): ok, the stop of a scan, or the refusal.</summary>
    private static string Result(StepRecord step) =>
        step.Ok is null ? "…"
        : IvScanResult.Of(step) is { } scan ? $"ok: {scan.Points.Count} points{(scan.Stopped is { } s ? $", stopped at {s}" : "")}"
        : step.Result ?? "";
}
