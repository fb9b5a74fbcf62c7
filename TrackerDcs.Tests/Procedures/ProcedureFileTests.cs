using TrackerDcs.Hardware.Caen;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Tests.Procedures;

/// <summary>
/// Loading a procedure file checks everything before anything runs: each broken file stops the load naming its
/// file, line and key; the shipped procedures load against the shipped channels.yml; the command line does the same.
/// </summary>
public sealed class ProcedureFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-procedures-").FullName;

    private static readonly ChannelMap Channels = ChannelMap.Parse("""
        name: dcs
        channels:
          "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }
          "1": { module: module_1, lv: { board: 0, chan: 1 }, hv: { board: 12, chan: 1, maxV: 800. } }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 100., maxI: 500., rampUpSpeed: 50., rampDwnSpeed: 50., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low, maxV: 600. }
        """, "channels.yml");

    private static readonly ProcedureRules Rules = ProcedureCli.BuiltInRules(Channels, ["pedestals"]);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, $"{name}.yml");
        File.WriteAllText(path, text);
        return path;
    }

    private const string Valid = """
        description: a valid procedure
        parameters:
          cold: { unit: °C, min: -35, max: 20, default: -20 }
          bias: { unit: V, min: 0, max: 500, default: 300 }
          cycles: { type: integer, min: 1, max: 5, default: 2 }
        fatal_alarms: [interlock]
        steps:
          - command: dcs/cmd/switch/lv on
          - repeat:
              count: $cycles
              steps:
                - chiller_ramp: { to: $cold, rate: 1 }
                - wait_until: { condition: "chiller.bath < $(cold + 0.5)", stable_for: 60, timeout: 3600 }
          - command: dcs/cmd/setv/hv/0 $bias
          - wait: 10
          - note: done at $cold
        """;

    /// <summary>Each case: what is broken (the valid procedure edited), the line and key the error must name.</summary>
    public static TheoryData<string, string, string, int, string> Broken => new()
    {
        { "unknown step", "  - wait: 10", "  - blink: 10", 15, "'blink': unknown step (one of command, wait_until, wait, chiller_ramp, iv_scan, repeat, calibration, note)" },
        { "unknown signal", "chiller.bath < $(cold + 0.5)", "chiller.temperature < $(cold + 0.5)", 13, "'condition': unknown signal 'chiller.temperature'" },
        { "unknown command", "dcs/cmd/switch/lv on", "dcs/cmd/explode on", 8, "'command': unknown command 'dcs/cmd/explode'" },
        { "default out of bounds", "default: -20 }", "default: -40 }", 3, "'cold.default': parameter 'cold' = -40 °C is outside its bounds [-35, 20]" },
        { "literal above maxV", "setv/hv/0 $bias", "setv/hv/0 650", 14, "'command': HV set point 650 V is above channel 0's maxV 600 V" },
        { "parameter above maxV", "bias: { unit: V, min: 0, max: 500", "bias: { unit: V, min: 0, max: 700", 14, "'command': HV set point $bias can reach 700 V, above channel 0's maxV 600 V" },
        { "unknown parameter", "note: done at $cold", "note: done at $colder", 16, "'note': unknown parameter 'colder' (one of cold, bias, cycles)" },
        { "unknown key", "fatal_alarms:", "fatal_alarm:", 6, "'fatal_alarm': unknown key (one of name, description, parameters, fatal_alarms, steps, on_abort)" },
        { "no timeout", ", stable_for: 60, timeout: 3600 }", ", stable_for: 60 }", 13, "'wait_until.timeout': is required" },
        { "unknown alarm", "[interlock]", "[interlock, caen.explosion]", 6, "'fatal_alarms': unknown alarm code 'caen.explosion'" },
        { "zero rate", "rate: 1 }", "rate: 0 }", 12, "'rate': must be above 0" },
        { "unknown channel", "setv/hv/0", "setv/hv/7", 14, "'command': channel '7' is not in channels.yml" },
        { "repeat of a number", "count: $cycles", "count: $cold", 10, "'count': must be at least 1, but $cold can be -35 within its parameter's bounds" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_file_stops_the_load_naming_file_line_and_key(string what, string find, string replace, int line, string message)
    {
        Assert.Contains(find, Valid);
        var path = Write("broken", Valid.Replace(find, replace));

        var e = Assert.Throws<ProcedureFileException>(() => ProcedureFile.Load(path, Rules));

        Assert.True(e.Message.StartsWith($"{path}:{line}: {message}"), $"{what}: got {e.Message}");
        Assert.Equal((path, line), (e.File, e.Line));
    }

    [Theory]
    [InlineData("[0]", 700, "'stop': the scan can reach 700 V, above channel 0's maxV 600 V")]
    [InlineData("[1]", 900, "'stop': the scan can reach 900 V, above channel 1's maxV 800 V")]
    [InlineData("[7]", 500, "'channels': channel '7' is not in channels.yml")]
    public void An_iv_scan_that_could_pass_a_channels_maxV_does_not_load(string channels, int top, string message)
    {
        var path = Write("scan", $$"""
            parameters:
              stop: { unit: V, min: 0, max: {{top}}, default: 100 }
            steps:
              - iv_scan: { channels: {{channels}}, start: 0, stop: $stop, step: 10, settle: 1, samples: 3, compliance: 10 }
            """);

        var e = Assert.Throws<ProcedureFileException>(() => ProcedureFile.Load(path, Rules));

        Assert.Equal($"{path}:4: {message}", e.Message);
    }

    [Theory]
    [InlineData("ramp_rate: 600", "'ramp_rate': must be at most 500 V/s (the HV boards' fastest ramp)")]
    [InlineData("ramp_rate: $rate", "'ramp_rate': must be at most 500 V/s (the HV boards' fastest ramp), but $rate can be 900 within its parameter's bounds")]
    [InlineData("ramp_rate: 0.5", "'ramp_rate': must be at least 1")]
    [InlineData("temperature: chiller.temperature", "'temperature': unknown signal 'chiller.temperature'")]
    [InlineData("temperature: sensor.max.DS_tmp", "'temperature': unknown sensor field 'DS_tmp'")]
    public void An_iv_scan_s_ramp_rate_and_temperature_signal_are_checked_at_load(string key, string message)
    {
        var path = Write("scan", $$"""
            parameters:
              rate: { unit: V/s, min: 1, max: 900, default: 10 }
            steps:
              - iv_scan: { channels: [0], start: 0, stop: 100, step: 10, settle: 1, samples: 3, compliance: 10, {{key}} }
            """);

        var e = Assert.Throws<ProcedureFileException>(() => ProcedureFile.Load(path, Rules));

        Assert.StartsWith($"{path}:4: {message}", e.Message);
    }

    [Fact]
    public void An_iv_scan_reads_the_temperature_signal_it_names_or_the_sensors_highest_DS_temp()
    {
        var path = Write("scan", """
            steps:
              - iv_scan: { channels: [0], start: 0, stop: 100, step: 10, settle: 1, samples: 3, compliance: 10, ramp_rate: 5 }
              - iv_scan: { channels: [0], start: 0, stop: 100, step: 10, settle: 1, samples: 3, compliance: 10, temperature: sensor.ESP01.BME_temp }
            """);

        var plan = ProcedurePlan.Unroll(ProcedureFile.Load(path, Rules).Steps, new Dictionary<string, double>(), null);

        var (first, second) = ((ScanIv)plan[0].Action, (ScanIv)plan[1].Action);
        Assert.Equal((5.0, "sensor.max.DS_temp"), (first.RampRate, first.Temperature));
        Assert.Equal(((double?)null, "sensor.ESP01.BME_temp"), (second.RampRate, second.Temperature));
        // The minimum time of the first: 11 points, and 100 V up and down at 5 V/s (its estimate, and the bench's yardstick).
        Assert.Equal(11 * 1 + 2 * 100 / 5.0, plan[0].EstimateSeconds);
    }

    [Fact]
    public void A_yaml_syntax_error_names_its_line()
    {
        var path = Write("broken", "steps:\n  - note: [unclosed\n");
        var e = Assert.Throws<ProcedureFileException>(() => ProcedureFile.Load(path, Rules));
        Assert.StartsWith($"{path}:", e.Message);
        Assert.Contains("not valid YAML", e.Message);
    }

    [Fact]
    public void A_valid_file_loads_with_its_parameters_steps_and_the_default_on_abort()
    {
        var procedure = ProcedureFile.Load(Write("valid", Valid), Rules);

        Assert.Equal("valid", procedure.Name);
        Assert.Equal(["cold", "bias", "cycles"], procedure.Parameters.Select(p => p.Name));
        Assert.Equal(["command", "repeat", "command", "wait", "note"], procedure.Steps.Select(s => s.Kind));
        // HV off first, then LV off: never LV off under HV.
        Assert.Equal(["dcs/cmd/switch/hv off", "dcs/cmd/switch/lv off"],
            procedure.OnAbort.Cast<CommandStep>().Select(s => $"{s.Topic} {s.Payload}"));

        var plan = ProcedurePlan.Unroll(procedure.Steps, new Dictionary<string, double> { ["cold"] = -10, ["bias"] = 250, ["cycles"] = 2 }, 20);
        Assert.Equal(["command", "chiller_ramp", "wait_until", "chiller_ramp", "wait_until", "command", "wait", "note"], plan.Select(s => s.Kind));
        Assert.Equal("dcs/cmd/setv/hv/0 250", plan[5].Description);
        Assert.Equal("until chiller.bath < -9.5 for 60 s (time-out 3600 s)", plan[2].Description);
        // The first ramp from 20 °C to -10 °C at 1 K/min: 30 minutes; the second is already there.
        Assert.Equal([0, 1800, 60, 0, 60, 0, 10, 0], plan.Select(s => s.EstimateSeconds));
    }

    [Fact]
    public void The_shipped_procedures_load_against_the_shipped_channel_map()
    {
        var shipped = ChannelMap.Load(Repository.File("channels.yml"));
        var rules = ProcedureCli.BuiltInRules(shipped, ["pedestals", "lv-test"]);
        var catalog = new ProcedureCatalog(Repository.File("procedures"));

        var loaded = catalog.Load(rules);

        Assert.Equal(["burn-in", "iv-scan", "thermal-cycle"], loaded.Select(p => p.Name));
    }

    [Fact]
    public async Task The_command_line_checks_a_file_the_same_way()
    {
        var good = Write("good", Valid);
        var bad = Write("bad", Valid.Replace("dcs/cmd/switch/lv on", "dcs/cmd/explode on"));

        var ok = await ProcessRunner.RunAsync("dotnet", [StandProcess.Binary, "procedure", "check", good]);
        var broken = await ProcessRunner.RunAsync("dotnet", [StandProcess.Binary, "procedure", "check", good, bad]);

        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("ok: ", ok.Stdout);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains($"{bad}:8: 'command': unknown command 'dcs/cmd/explode'", broken.Stderr);
    }

    [Fact]
    public async Task A_broken_file_in_the_procedures_folder_stops_the_start_naming_it()
    {
        var broken = Write("broken", Valid.Replace("  - wait: 10", "  - blink: 10"));
        await using var stand = new StandProcess(new Dictionary<string, string> { ["Procedures:Directory"] = _directory });

        var result = await stand.RunToExitAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"TrackerDcs cannot start: setting 'Procedures:Directory': {broken}:15: 'blink': unknown step", result.Stderr);
    }
}
