using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.Alarms;

/// <summary>
/// The alarm evaluator in process: devices stood in for by views the test sets, time on a fake clock. Each
/// built-in condition, its suppression by state, and the delays that keep brief drops from raising alarms.
/// </summary>
public sealed class AlarmEvaluatorTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly TempDatabase _database = new();
    private readonly AlarmOptions _options = new() { DiskFreePercentMin = 0 };
    private readonly StandInView<CaenView> _caen = new(Views.Crate(Views.LvOff));
    private readonly StandInView<JulaboView> _julabo = new(Views.Chiller(JulaboState.On));
    private readonly StandInView<SensorsView> _sensors = new(Views.Environment(null));
    private readonly List<IAlarmSource> _sources = [];

    public void Dispose() => _database.Dispose();

    private AlarmEvaluator Evaluator(Spool? spool = null, TimeSeriesOptions? timeSeries = null) =>
        new(_options, _caen, _julabo, _sensors, _database.Data, _sources, timeSeries ?? new TimeSeriesOptions(), _clock, spool);

    private static Dictionary<string, string> Keyed(IEnumerable<AlarmCondition> conditions) => conditions.ToDictionary(c => c.Key, c => c.Message);

    [Fact]
    public void A_quiet_stand_raises_nothing()
    {
        Assert.Empty(Evaluator().Evaluate());
    }

    [Fact]
    public void A_disconnected_device_raises_only_after_the_set_time_and_a_reconnect_starts_the_count_again()
    {
        var evaluator = Evaluator();
        _caen.Set(Views.Crate(CaenView.Disconnected));
        _julabo.Set(Views.Chiller(JulaboState.Disconnected, code: null));
        Assert.Empty(evaluator.Evaluate());

        _clock.Advance(_options.DisconnectedAfter - TimeSpan.FromMilliseconds(1));
        Assert.Empty(evaluator.Evaluate());

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new Dictionary<string, string>
        {
            ["device.disconnected:caen"] = "CAEN crate DISCONNECTED since 08:00:00 UTC",
            ["device.disconnected:julabo"] = "Julabo chiller DISCONNECTED since 08:00:00 UTC",
        }, Keyed(evaluator.Evaluate()));

        // The crate answers again: its alarm goes, and a new drop waits the whole time again.
        _caen.Set(Views.Crate(Views.LvOff));
        Assert.Equal(["device.disconnected:julabo"], evaluator.Evaluate().Select(c => c.Key));
        _caen.Set(Views.Crate(CaenView.Disconnected));
        Assert.Equal(["device.disconnected:julabo"], evaluator.Evaluate().Select(c => c.Key));
        _clock.Advance(_options.DisconnectedAfter / 2);
        Assert.Equal(["device.disconnected:julabo"], evaluator.Evaluate().Select(c => c.Key));
        _clock.Advance(_options.DisconnectedAfter / 2);
        Assert.Contains("device.disconnected:caen", evaluator.Evaluate().Select(c => c.Key));
    }

    [Fact]
    public void Each_missing_pv_is_its_own_major_alarm_naming_what_its_channel_loses()
    {
        _caen.Set(Views.Crate("LV_OFF") with
        {
            Missing = ["cleanroom:12:001:SVMax not found: channel 1 HV is not protected", "cleanroom:00:002:VMon not found: channel 2 LV is not monitored"],
        });

        var conditions = Evaluator().Evaluate();

        Assert.Equal(new Dictionary<string, string>
        {
            ["caen.pv_missing:cleanroom:12:001:SVMax"] = "cleanroom:12:001:SVMax not found: channel 1 HV is not protected",
            ["caen.pv_missing:cleanroom:00:002:VMon"] = "cleanroom:00:002:VMon not found: channel 2 LV is not monitored",
        }, Keyed(conditions));
        Assert.All(conditions, c => Assert.Equal(AlarmSeverity.Major, c.Definition.Severity));
    }

    [Fact]
    public void A_chiller_whose_port_reopens_but_that_does_not_answer_raises_within_the_delay()
    {
        // A unit switched off behind a present USB adapter: each reopen of the port is CONNECTED for the
        // reply time-outs of VERSION, then DISCONNECTED again; that must not start the count again.
        var evaluator = Evaluator();
        _julabo.Set(Views.Chiller(JulaboState.Disconnected, code: null));
        Assert.Empty(evaluator.Evaluate());
        _clock.Advance(_options.DisconnectedAfter / 2);
        _julabo.Set(Views.Chiller(JulaboState.Connected, code: null));
        Assert.Empty(evaluator.Evaluate());
        _clock.Advance(TimeSpan.FromSeconds(1));
        _julabo.Set(Views.Chiller(JulaboState.Disconnected, code: null));
        Assert.Empty(evaluator.Evaluate());
        _clock.Advance(_options.DisconnectedAfter / 2);
        Assert.Equal(new Dictionary<string, string> { ["device.disconnected:julabo"] = "Julabo chiller DISCONNECTED since 08:00:00 UTC" },
            Keyed(evaluator.Evaluate()));

        // The unit answers again (OFF): the alarm goes.
        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));
        Assert.Empty(evaluator.Evaluate());
    }

    [Fact]
    public void Channel_faults_raise_per_supply_with_the_module_named_and_the_crate_error_once()
    {
        _caen.Set(Views.Crate(CaenView.Error,
            Views.Channel("0", "module_0", lv: CaenStatus.On, hv: CaenStatus.InternalTrip),
            Views.Channel("1", null, lv: CaenStatus.On | CaenStatus.OverVoltage | CaenStatus.Unplugged, hv: CaenStatus.On | CaenStatus.OverCurrent),
            Views.Channel("2", "module_2", lv: null, hv: null)));

        Assert.Equal(new Dictionary<string, string>
        {
            ["caen.crate_error:crate"] = "CAEN crate is in ERROR",
            ["caen.trip:0/hv"] = $"HV of channel 0 (module_0) tripped ({CaenSupplyView.Describe((int)CaenStatus.InternalTrip)})",
            ["caen.overvoltage:1/lv"] = "LV of channel 1 is over voltage",
            ["caen.unplugged:lv_board 0"] = "LV board 0 is unplugged",
            ["caen.overcurrent:1/hv"] = "HV of channel 1 is over current",
        }, Keyed(Evaluator().Evaluate()));
    }

    [Theory]
    [InlineData(CaenStatus.On | CaenStatus.OverCurrent, "caen.overcurrent:0/hv")]
    [InlineData(CaenStatus.On | CaenStatus.UnderVoltage, "caen.undervoltage:0/hv")]
    [InlineData(CaenStatus.On | CaenStatus.OverCurrent | CaenStatus.RampingUp, null)]
    [InlineData(CaenStatus.On | CaenStatus.UnderVoltage | CaenStatus.RampingUp, null)]
    [InlineData(CaenStatus.On | CaenStatus.UnderVoltage | CaenStatus.RampingDown, null)]
    [InlineData(CaenStatus.On | CaenStatus.OverVoltage | CaenStatus.RampingUp, "caen.overvoltage:0/hv")]
    [InlineData(CaenStatus.RampingDown | CaenStatus.ExternalTrip, "caen.trip:0/hv")]
    public void Over_current_and_under_voltage_while_ramping_are_the_module_charging_not_a_fault(CaenStatus hv, string? expected)
    {
        _caen.Set(Views.Crate(Views.HvOn, Views.Channel("0", "module_0", lv: CaenStatus.On, hv: hv)));

        var keys = Evaluator().Evaluate().Select(c => c.Key).ToList();

        Assert.Equal(expected is null ? [] : [expected], keys);
    }

    [Fact]
    public void A_crate_that_does_not_answer_raises_no_channel_alarm_from_its_last_readings()
    {
        _caen.Set(Views.Crate(CaenView.Init, Views.Channel("0", "module_0", lv: CaenStatus.InternalTrip, hv: CaenStatus.Unplugged)));
        Assert.Empty(Evaluator().Evaluate());
    }

    [Theory]
    [InlineData(-7, null, "julabo.fault:julabo", "chiller reports -07: status -7")]
    [InlineData(-3, 25.0, "julabo.fault:julabo", "chiller reports -03: status -3 (bath 30.0 °C, high limit 25.0 °C)")]
    [InlineData(0, null, "julabo.manual:julabo", "chiller is in manual mode (00 status 0)")]
    [InlineData(1, null, "julabo.manual:julabo", "chiller is in manual mode (01 status 1)")]
    [InlineData(3, null, null, null)]
    public void The_chiller_raises_its_fault_codes_and_manual_mode(int code, double? limitHigh, string? key, string? message)
    {
        _julabo.Set(Views.Chiller(JulaboState.On, code, bath: 30) with { LimitHigh = limitHigh });

        var conditions = Keyed(Evaluator().Evaluate());

        Assert.Equal(key is null ? [] : new Dictionary<string, string> { [key] = message! }, conditions);
    }

    [Fact]
    public void A_limits_problem_stays_raised_while_the_chiller_is_disconnected_but_its_fault_code_does_not()
    {
        var evaluator = Evaluator();
        _julabo.Set(Views.Chiller(JulaboState.Disconnected, code: -7, limitsProblem: "the unit holds 80.0 °C as its high limit, not 40.0 °C"));

        Assert.Equal(new Dictionary<string, string> { ["julabo.limits:julabo"] = "the unit holds 80.0 °C as its high limit, not 40.0 °C" },
            Keyed(evaluator.Evaluate()));
    }

    [Fact]
    public void A_sensor_box_is_silent_only_after_the_set_time_and_the_dew_point_margin_alarm_names_its_figures()
    {
        var evaluator = Evaluator();
        _sensors.Set(Views.Environment(coldest: 12.0,
            Views.Box("ESP01", _clock.GetUtcNow(), ("BME_dew", 10.5)),
            Views.Box("ESP02", _clock.GetUtcNow(), ("BME_temp", 21.0))));

        Assert.Equal(new Dictionary<string, string>
        {
            ["environment.dewpoint:stand"] = "dew-point margin 1.5 °C is below 3.0 °C (coldest 12.0 °C, dew point 10.5 °C)",
        }, Keyed(evaluator.Evaluate()));

        _clock.Advance(_options.SensorSilentAfter);
        Assert.DoesNotContain(evaluator.Evaluate(), c => c.Definition == AlarmCatalog.SensorSilent);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["sensor.silent:ESP01", "sensor.silent:ESP02"],
            evaluator.Evaluate().Where(c => c.Definition == AlarmCatalog.SensorSilent).Select(c => c.Key));
    }

    [Fact]
    public void An_unknown_dew_point_margin_raises_no_condensation_alarm()
    {
        _sensors.Set(Views.Environment(coldest: null, Views.Box("ESP01", _clock.GetUtcNow(), ("BME_dew", 30.0))));
        Assert.Empty(Evaluator().Evaluate());
    }

    [Fact]
    public void The_data_disk_alarm_follows_the_free_share_of_the_real_disk()
    {
        var drive = new DriveInfo(_database.Data.Path);
        var free = 100.0 * drive.AvailableFreeSpace / drive.TotalSize;

        _options.DiskFreePercentMin = Math.Min(100, free + 1);
        var condition = Assert.Single(Evaluator().Evaluate());
        Assert.Equal("system.disk:data", condition.Key);
        Assert.StartsWith($"data disk {drive.Name} has ", condition.Message);

        _options.DiskFreePercentMin = Math.Max(0, free - 1);
        Assert.Empty(Evaluator().Evaluate());
    }

    [Fact]
    public void A_spool_fuller_than_the_threshold_raises_the_spool_alarm()
    {
        var directory = Path.Combine(_database.Data.Path, "spool");
        using var spool = new Spool(directory, maxBytes: 10_000);
        var timeSeries = new TimeSeriesOptions { SpoolMaxBytes = 10_000 };
        _options.SpoolFullPercentMax = 50;
        Assert.Empty(Evaluator(spool, timeSeries).Evaluate());

        Assert.True(spool.TryAppend([.. Enumerable.Repeat("caen,channel=0 vmon=12.0 1700000000000000000", 120)]));
        Assert.InRange(spool.PendingBytes, 5001, 10_000);

        var condition = Assert.Single(Evaluator(spool, timeSeries).Evaluate());
        Assert.Equal("timeseries.spool:influxdb", condition.Key);
        Assert.EndsWith($"% full ({spool.PendingBytes} of 10000 bytes)", condition.Message);
    }

    [Fact]
    public void The_conditions_of_other_areas_are_raised_with_the_built_in_ones()
    {
        var definition = new AlarmDefinition("interlock", AlarmSeverity.Major, "guidance");
        _sources.Add(new Source([new AlarmCondition(definition, "condensation", "interlock 'condensation' active")]));
        _caen.Set(Views.Crate(CaenView.Error));

        Assert.Equal(["caen.crate_error:crate", "interlock:condensation"], Evaluator().Evaluate().Select(c => c.Key));
    }

    private sealed class Source(IEnumerable<AlarmCondition> conditions) : IAlarmSource
    {
        public IEnumerable<AlarmCondition> AlarmConditions() => conditions;
    }
}
