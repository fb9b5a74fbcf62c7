using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// The CAEN driver: writes the channel map's settings to the crate, follows every channel through monitors,
/// derives channel and crate states, and runs the operator's commands behind the state machine's guards.
/// Knows nothing of the wire (that is <see cref="ICaenPvAccess"/>) nor of MQTT (the Web host takes a
/// <see cref="Snapshot"/> on <see cref="Changed"/> and publishes it).
/// </summary>
public sealed class CaenDevice : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ICaenPvAccess _access;
    private readonly string _prefix;
    private readonly ILogger _logger;
    private readonly List<TrackedChannel> _channels;
    private readonly List<IDisposable> _subscriptions = [];
    private bool _started, _connected;
    private HashSet<string> _missing = [];
    private CaenState _state = CaenState.Init;

    /// <param name="setPoints">
    /// Set points to write instead of the map's (the operator's, kept across a restart), by channel and supply; the
    /// caller has checked them against the map's bounds (<see cref="SetPointRefusal"/>).
    /// </param>
    public CaenDevice(ChannelMap map, ICaenPvAccess access, string prefix = CaenPvNames.DefaultPrefix,
        ILogger<CaenDevice>? logger = null, IReadOnlyDictionary<(string Id, PowerKind Kind), double>? setPoints = null)
    {
        Map = map;
        _access = access;
        _prefix = prefix;
        _logger = logger ?? NullLogger<CaenDevice>.Instance;
        _channels = [.. map.Channels.Select(c => new TrackedChannel(WithSetPoints(c, setPoints), prefix))];
    }

    private static ChannelConfig WithSetPoints(ChannelConfig channel, IReadOnlyDictionary<(string Id, PowerKind Kind), double>? setPoints)
    {
        if (setPoints is null) return channel;
        if (setPoints.TryGetValue((channel.Id, PowerKind.Lv), out var lv)) channel = channel with { Lv = channel.Lv with { SetV = lv } };
        if (setPoints.TryGetValue((channel.Id, PowerKind.Hv), out var hv)) channel = channel with { Hv = channel.Hv with { SetV = hv } };
        return channel;
    }

    public ChannelMap Map { get; }

    /// <summary>Raised (on any thread) after a channel reading moved beyond its dead band, or a state changed.</summary>
    public event Action? Changed;

    public CaenState State { get { lock (_gate) return _state; } }

    /// <summary>Whether any active channel's HV is on or still ramping: what the command guards and the interlocks ask.</summary>
    public bool HvLive { get { lock (_gate) return AnyActive(s => s.HvLive); } }

    /// <summary>Whether any active channel's LV is on.</summary>
    public bool LvOn { get { lock (_gate) return AnyActive(s => s.LvOn); } }

    public CaenState ChannelState(string id)
    {
        lock (_gate) return Tracked(id)?.State ?? throw new ArgumentException($"no channel '{id}' in {Map.Source}", nameof(id));
    }

    /// <summary>
    /// The crate state and every channel of the map (monitored ones included: settings, state and readings),
    /// taken under one lock, so that whatever is built from it (dcs/status and dcs/channels) agrees.
    /// </summary>
    public CaenSnapshot Snapshot()
    {
        lock (_gate) return new CaenSnapshot(Map, _state, [.. _channels.Select(c => c.Reading())], [.. _channels.SelectMany(c => c.Missing)]);
    }

    /// <summary>
    /// Subscribes to every channel's fields and, if the crate is reachable, writes the settings. The settings
    /// are written again on every reconnection, so a restarted IOC gets the stand's settings back.
    /// </summary>
    public async Task<CommandResult> StartAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_started) return CommandResult.Done;
            _started = true;
        }
        // Listen first, then read: a link change in between is not lost.
        _access.ConnectionChanged += OnConnectionChanged;
        _access.MissingChanged += OnMissingChanged;
        lock (_gate) _connected = _access.IsConnected;
        OnMissingChanged();
        // Every field, Pw too: its monitor is how a missing Pw is noticed before a switch needs it.
        foreach (var channel in _channels)
            foreach (var kind in Enum.GetValues<PowerKind>())
                foreach (var field in CaenFields.For(kind))
                    _subscriptions.Add(_access.Subscribe(channel.PvName(kind, field.Name), value => OnValue(channel, kind, field, value)));
        Update();
        WarnOfUnsetLimits();
        return _access.IsConnected ? await ApplySettingsAsync(ct) : CommandResult.Done;
    }

    /// <summary>
    /// Once per map: the channels whose HV maxV channels.yml leaves out keep whatever SVMax the crate has,
    /// so a crash of this process would leave them limited only by that (issue 8). Spare channels count too:
    /// their line may still be cabled.
    /// </summary>
    private void WarnOfUnsetLimits()
    {
        var unset = Map.Channels.Where(c => c.Hv.MaxV is null).Select(c => c.Id).ToList();
        if (unset.Count > 0)
            _logger.LogWarning("{Map} sets no hv maxV for channel(s) {Channels}: their hardware voltage limit (SVMax) is left as found on the crate",
                Map.Source, string.Join(", ", unset));
    }

    /// <summary>
    /// Writes every setting of every channel of the map, spare ones too, as the seed's dcs.py did: a channel without
    /// a module is never switched, but its line may still be cabled, and it must not keep the crate's defaults
    /// (no external trip, a wider current limit). Switching stays for channels with a module (<see cref="SwitchAsync"/>).
    /// An UNAVAILABLE channel's settings are written too: each PV that exists gets its setting, for the protection it
    /// still gives.
    /// </summary>
    public async Task<CommandResult> ApplySettingsAsync(CancellationToken ct) => await WriteSettingsAsync(_ => true, ct);

    private async Task<CommandResult> WriteSettingsAsync(Func<string, bool> which, CancellationToken ct)
    {
        List<(string Pv, object Value)> writes;
        lock (_gate)
            writes = [.. from channel in _channels
                         from kind in Enum.GetValues<PowerKind>()
                         from field in CaenFields.For(kind) where field.Setting is not null
                         let value = field.Setting!(channel.Settings.Supply(kind))
                         where value is not null   // an optional setting the file leaves out: the crate keeps its own
                         let pv = channel.PvName(kind, field.Name)
                         where !_missing.Contains(pv) && which(pv)   // a missing PV is named once, by its alarm, not by a failed put
                         select (pv, value)];
        var result = await PutAllAsync(writes, ct);
        if (result.Ok && writes.Count > 0) _logger.LogInformation("Wrote {Count} settings of {Map} to the crate", writes.Count, Map.Source);
        return result;
    }

    /// <summary>Switches LV or HV of every active channel (dcs/cmd/switch/lv|hv).</summary>
    public Task<CommandResult> SwitchAsync(PowerKind kind, bool on, CancellationToken ct)
    {
        var command = (kind, on) switch
        {
            (PowerKind.Lv, true) => CaenCommand.LvOn,
            (PowerKind.Lv, false) => CaenCommand.LvOff,
            (PowerKind.Hv, true) => CaenCommand.HvOn,
            _ => CaenCommand.HvOff,
        };
        List<(string, object)> writes;
        lock (_gate)
        {
            if (Refusal(command) is { } reason) return Task.FromResult(Refused(command, reason));
            // An UNAVAILABLE channel is never switched on; switching off still reaches it if its Pw exists,
            // because off is the protection that is left.
            writes = [.. _channels.Where(c => c.Settings.IsActive && (!on || c.State != CaenState.Unavailable))
                .Where(c => !_missing.Contains(c.PvName(kind, CaenFields.Pw.Name))).Select(c => (c.PvName(kind, CaenFields.Pw.Name), (object)(ushort)(on ? 1 : 0)))];
        }
        return PutAllAsync(writes, ct);
    }

    /// <summary>
    /// Sets one channel's LV or HV set point (dcs/cmd/setv/lv|hv/&lt;id&gt;): LV within its ovVThr, HV within the
    /// boards' rating and the channel's maxV (the SVMax written on load: the board would only limit at it).
    /// </summary>
    public async Task<CommandResult> SetVoltageAsync(PowerKind kind, string id, double volts, CancellationToken ct)
    {
        TrackedChannel? channel;
        string pv;
        lock (_gate)
        {
            channel = Tracked(id);
            var reason = Refusal(CaenCommand.SetV) ?? CommandableRefusal(id, channel) ?? SetPointRefusal(channel!.Settings, kind, volts);
            if (reason is not null) return Refused(CaenCommand.SetV, reason);
            pv = channel!.PvName(kind, CaenFields.V0Set.Name);
        }
        var result = await PutAllAsync([(pv, volts)], ct);
        if (result.Ok)
            lock (_gate)
                channel.Settings = kind == PowerKind.Lv
                    ? channel.Settings with { Lv = channel.Settings.Lv with { SetV = volts } }
                    : channel.Settings with { Hv = channel.Settings.Hv with { SetV = volts } };
        return result;
    }

    /// <summary>
    /// Why <paramref name="volts"/> may not be this channel's set point, or null: LV within its ovVThr, HV within the
    /// boards' rating and the channel's maxV. The same bounds hold for a command and for a set point kept across a restart.
    /// </summary>
    public static string? SetPointRefusal(ChannelConfig channel, PowerKind kind, double volts)
    {
        var limit = kind == PowerKind.Lv ? channel.Lv.OvVThr : CaenBoards.HvMaxVolts;
        return channel switch
        {
            _ when !double.IsFinite(volts) || volts < 0 => $"{volts} V is not a set point",
            _ when volts > limit => kind == PowerKind.Lv
                ? $"LV setV {volts} V of channel {channel.Id} is above its ovVThr {limit} V"
                : $"HV setV {volts} V of channel {channel.Id} is above the boards' {limit} V",
            { Hv.MaxV: { } maxV } when kind == PowerKind.Hv && volts > maxV =>
                $"HV setV {volts} V of channel {channel.Id} is above its maxV {maxV} V",
            _ => null,
        };
    }

    /// <summary>
    /// Sets one channel's HV ramp rates (dcs/cmd/setramp/hv/&lt;id&gt;): RUp and RDWn, in V/s, each within the boards'
    /// bounds; a null one is left as it is. Both are checked before either is put, so a refusal changes nothing. The
    /// rates are the channel's settings from then on (a reconnection writes them again); a restart writes channels.yml's.
    /// </summary>
    public async Task<CommandResult> SetRampAsync(string id, double? up, double? down, CancellationToken ct)
    {
        TrackedChannel? channel;
        List<(string Pv, object Value)> writes = [];
        lock (_gate)
        {
            channel = Tracked(id);
            var reason = Refusal(CaenCommand.SetRamp) ?? CommandableRefusal(id, channel)
                ?? RampRefusal(id, "ramp-up", CaenFields.RUp, up) ?? RampRefusal(id, "ramp-down", CaenFields.RDWn, down);
            if (reason is not null) return Refused(CaenCommand.SetRamp, reason);
            if (up is { } u) writes.Add((channel!.PvName(PowerKind.Hv, CaenFields.RUp.Name), u));
            if (down is { } d) writes.Add((channel!.PvName(PowerKind.Hv, CaenFields.RDWn.Name), d));
        }
        var result = await PutAllAsync(writes, ct);
        if (result.Ok)
            lock (_gate)
                channel!.Settings = channel.Settings with
                {
                    Hv = channel.Settings.Hv with { RampUpSpeed = up ?? channel.Settings.Hv.RampUpSpeed, RampDwnSpeed = down ?? channel.Settings.Hv.RampDwnSpeed },
                };
        return result;
    }

    private static string? RampRefusal(string id, string what, CaenField field, double? rate) =>
        rate is { } r && !(r >= field.Min && r <= field.Max)
            ? FormattableString.Invariant($"HV {what} rate {r} V/s of channel {id} is outside the boards' {field.Min}…{field.Max} V/s")
            : null;

    /// <summary>Why a command may not act on this channel (not in the map, spare, or missing PVs), or null.</summary>
    private string? CommandableRefusal(string id, TrackedChannel? channel) => channel switch
    {
        null => $"no channel '{id}' in {Map.Source}",
        { Settings.IsActive: false } => $"channel {id} has no module: it is monitored, never commanded",
        { State: CaenState.Unavailable } => $"channel {id} is {CaenState.Unavailable.Wire()} ({string.Join("; ", channel.Missing.Select(m => m.Text))}): it is not commanded",
        _ => null,
    };

    /// <summary>Clears every channel's trip (dcs/cmd/clear): puts "Yes" to the crate's ClearAlarm.</summary>
    public Task<CommandResult> ClearAlarmsAsync(CancellationToken ct)
    {
        lock (_gate)
            if (Refusal(CaenCommand.ClearAlarms) is { } reason) return Task.FromResult(Refused(CaenCommand.ClearAlarms, reason));
        return PutAllAsync([(CaenPvNames.ClearAlarm(_prefix), CaenPvNames.ClearAlarmValue)], ct);
    }

    public void Dispose()
    {
        _access.ConnectionChanged -= OnConnectionChanged;
        _access.MissingChanged -= OnMissingChanged;
        foreach (var subscription in _subscriptions) subscription.Dispose();
        _subscriptions.Clear();
    }

    private string? Refusal(CaenCommand command) => CommandGuards.Check(command, _state, AnyActive(s => s.HvLive));

    private bool AnyActive(Func<ChannelSnapshot, bool> condition) =>
        _channels.Any(c => c.Settings.IsActive && condition(c.Snapshot()));

    private CommandResult Refused(CaenCommand command, string reason)
    {
        _logger.LogWarning("{Command} refused: {Reason}", command, reason);
        return CommandResult.Refused(reason);
    }

    /// <summary>
    /// The one place where the access's failures become results: a refused or undeliverable put is the
    /// operator's answer, never an exception thrown into the panel. Every write is tried, so that one bad
    /// channel does not keep the others unswitched.
    /// </summary>
    private async Task<CommandResult> PutAllAsync(IReadOnlyList<(string Pv, object Value)> writes, CancellationToken ct)
    {
        var failures = new List<string>();
        foreach (var (pv, value) in writes)
        {
            try
            {
                await _access.PutAsync(pv, value, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning("Put {Value} to {Pv} failed: {Reason}", value, pv, e.Message);
                failures.Add($"{pv}: {e.Message}");
            }
        }
        return failures.Count == 0 ? CommandResult.Done : CommandResult.Refused(string.Join("; ", failures));
    }

    private void OnValue(TrackedChannel channel, PowerKind kind, CaenField field, object value)
    {
        if (PvValues.ToDouble(value) is not { } number)
        {
            _logger.LogWarning("Ignored non-numeric {Value} from {Pv}", value, channel.PvName(kind, field.Name));
            return;
        }
        // Recorded whatever the link state: after a reconnection the access may deliver values before it reports the link up.
        bool moved;
        lock (_gate) moved = channel.Record(kind, field, number);
        if (moved) Update();
    }

    /// <summary>
    /// The IOC's missing PVs changed: each newly missing one is logged once, with what it costs; each that came
    /// back is logged and given its setting (the rest of the crate had its settings when it connected).
    /// </summary>
    private async void OnMissingChanged()
    {
        var now = _access.Missing.ToHashSet();
        List<MissingPv> lost;
        HashSet<string> found;
        lock (_gate)
        {
            var before = _missing;
            found = [.. before.Except(now)];
            _missing = now;
            foreach (var channel in _channels)
                channel.Missing = [.. from kind in Enum.GetValues<PowerKind>()
                                      from field in CaenFields.For(kind)
                                      let pv = channel.PvName(kind, field.Name)
                                      where now.Contains(pv)
                                      select new MissingPv(pv, channel.Settings.Id, kind, field)];
            lost = [.. _channels.SelectMany(c => c.Missing).Where(m => !before.Contains(m.Pv))];
        }
        foreach (var missing in lost) _logger.LogWarning("{Missing}", missing.Text);
        foreach (var pv in found) _logger.LogInformation("{Pv} found", pv);
        Update();
        if (found.Count == 0) return;
        try
        {
            await WriteSettingsAsync(found.Contains, CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Writing the settings of {Pvs} failed", string.Join(", ", found));
        }
    }

    private async void OnConnectionChanged(bool connected)
    {
        lock (_gate)
        {
            _connected = connected;
            if (!connected) foreach (var channel in _channels) channel.Forget();
        }
        _logger.LogInformation("CAEN crate {Prefix} {Link}", _prefix, connected ? "connected" : "disconnected");
        Update();
        if (!connected) return;
        try
        {
            await ApplySettingsAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // An event handler has nowhere to throw to: the failure is logged, and the state shows the rest.
            _logger.LogError(e, "Writing the settings after reconnection failed");
        }
    }

    /// <summary>Derives every channel's state and the crate's, warns of transitions the table does not expect, and notifies.</summary>
    private void Update()
    {
        lock (_gate)
        {
            foreach (var channel in _channels)
            {
                var next = ChannelFsm.Derive(new ChannelObservation(_started, _connected, channel.Status(PowerKind.Lv), channel.Status(PowerKind.Hv), channel.Missing.Count > 0));
                if (!ChannelFsm.IsExpected(channel.State, next))
                    _logger.LogWarning("Channel {Id} went from {From} to {To}, which the crate should not do (LV status {Lv}, HV status {Hv})",
                        channel.Settings.Id, channel.State.Wire(), next.Wire(), channel.Status(PowerKind.Lv), channel.Status(PowerKind.Hv));
                channel.State = next;
            }
            _state = CrateFsm.Aggregate([.. _channels.Where(c => c.Settings.IsActive).Select(c => c.Snapshot())]);
        }
        Changed?.Invoke();
    }

    private TrackedChannel? Tracked(string id) => _channels.FirstOrDefault(c => c.Settings.Id == id);
}
