namespace TrackerDcs.Web.Runs;

/// <summary>
/// One calibration the stand may run (Runs:Calibrations:&lt;name&gt;). Only what is written here is ever executed:
/// a start payload chooses a calibration by name and never contributes text to the command line.
/// </summary>
public sealed class CalibrationOptions
{
    /// <summary>A program path or a name found on PATH; <c>{trackerdcs}</c> is this executable (its fake-ph2acf mode).</summary>
    public string Executable { get; set; } = "";

    /// <summary>Arguments, one per element, with {hw}, {run}, {out} and {modules} replaced; passed without any shell.</summary>
    public List<string> Arguments { get; set; } = [];

    /// <summary>The Ph2_ACF hardware description file that {hw} names (relative to the settings directory).</summary>
    public string HardwareDescription { get; set; } = "";

    /// <summary>Where the program runs; empty: the run's output directory.</summary>
    public string WorkingDirectory { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>File name patterns (* and ?) below the output directory collected into the run document.</summary>
    public List<string> ResultFiles { get; set; } = [];

    /// <summary>The crate state the run needs from start to end ("HV_ON", "LV_ON"); empty: none.</summary>
    public string CrateState { get; set; } = "";

    /// <summary>When set, the chiller must be ON with its bath within this many °C of the set point in use.</summary>
    public double? ChillerTolerance { get; set; }

    /// <summary>When set, the dew-point margin (coldest temperature minus highest dew point) must exceed this, °C.</summary>
    public double? MinDewPointMargin { get; set; }
}
