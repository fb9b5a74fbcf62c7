using TrackerDcs.Web.Devices;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.SwitchBox;
using TrackerDcs.Web.Devices.Marta;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Devices.Sensors;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>The stand at a glance: crate, chiller, environment, active alarms, what is wrong now, and what was commanded last.</summary>
public partial class Overview
{
    [Inject] private IDeviceView<CaenView> Caen { get; set; } = default!;
    [Inject] private IDeviceView<JulaboView> ChillerDevice { get; set; } = default!;
    [Inject] private IDeviceView<SwitchBoxView> SwitchBoxDevice { get; set; } = default!;
    [Inject] private Readiness Readiness { get; set; } = default!;
    [Inject] private AuditLog AuditLog { get; set; } = default!;
    [Inject] private AlarmManager AlarmManager { get; set; } = default!;
    [Inject] private IDeviceView<SensorsView> Sensors { get; set; } = default!;
    [Inject] private IServiceProvider Services { get; set; } = default!;

    /// <summary>Null on a stand without MARTA.</summary>
    private MartaView? Co2Plant { get; set; }

    private IReadOnlyList<Alarm> ActiveAlarms { get; set; } = [];
    private IReadOnlyList<SensorBox> Boxes { get; set; } = [];
    private double? Margin { get; set; }

    private CaenView Crate { get; set; } = default!; // set by Load before the first render
    private JulaboView Julabo { get; set; } = default!; // set by Load before the first render
    private SwitchBoxView Box { get; set; } = SwitchBoxView.Disabled;
    private IReadOnlyList<string> Problems { get; set; } = [];
    private IReadOnlyList<AuditEntry> LastCommands { get; set; } = [];
    private IReadOnlyList<ReadinessProblem>? _readiness;

    protected override PanelTopic Topics => PanelTopic.All;

    protected override void Load() => Reload(PanelTopic.All);

    /// <summary>The crate changes several times a second while ramping: the database is read only when the log or readiness changed.</summary>
    protected override void Reload(PanelTopic changed)
    {
        Crate = Caen.View;
        Julabo = ChillerDevice.View;
        Box = SwitchBoxDevice.View;
        Co2Plant = Services.GetService<IDeviceView<MartaView>>()?.View;
        if ((changed & PanelTopic.Readiness) != 0 || _readiness is null) _readiness = ReadinessProblem.From(Readiness);
        var problems = _readiness
            .Select(p => $"{p.Kind} {p.Name}: {p.State}{(p.Detail is null ? "" : $" ({p.Detail})")}").ToList();
        problems.AddRange(Crate.Channels.Where(c => c.InError)
            .Select(c => $"channel {c.Id} ({c.Module ?? "monitored"}) in ERROR: LV {c.Lv.Words}; HV {c.Hv.Words}"));
        if (Box.State == SwitchBoxView.Error)
            problems.Add($"switch box in ERROR: {Box.LastError ?? "unknown"}");
        if (Julabo.State == JulaboView.Error)
            problems.Add($"chiller in ERROR: {Julabo.StatusText ?? "unknown"}");
        if (Co2Plant is { Live: true } plant && plant.State == MartaView.Alarm)
            problems.Add($"CO2 plant in ALARM: {plant.Problem ?? string.Join("; ", plant.Alarms.Where(a => a.Major).Select(a => a.Line))}");
        Problems = problems;
        ActiveAlarms = AlarmManager.Active;
        var environment = Sensors.View;
        Boxes = environment.Boxes;
        Margin = environment.DewPointMargin;
        if ((changed & PanelTopic.Audit) == 0) return;
        var now = DateTimeOffset.UtcNow;
        LastCommands = AuditLog.Query(now.AddDays(-7), now.AddMinutes(1), 10);
    }

    private static string Number(double? value, string format, string unit) => Reading.Format(value, format, unit);
}
