using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>
/// Which monitor events an update posts, as an IOC record decides them (recGblCheckDeadband, recGblResetAlarms), the
/// alarm acknowledgement fields DBR_STSACK_STRING carries, and the record type DBR_CLASS_NAME names.
/// </summary>
public class ProcessVariableEventsTests
{
    private readonly List<CaEventMask> _posted = [];

    private ProcessVariable Watched(ProcessVariable pv)
    {
        pv.Posted += (_, mask) => _posted.Add(mask);
        return pv;
    }

    [Fact]
    public void A_number_posts_DBE_VALUE_beyond_MDEL_and_DBE_LOG_beyond_ADEL_each_from_the_value_it_last_posted()
    {
        var vmon = Watched(new ProcessVariable("test:VMon", CaType.Double, 12.0) { Writable = false, MonitorDeadband = 0.01, ArchiveDeadband = 0.05 });

        foreach (var noise in new[] { 12.003, 11.997, 12.0, 12.01 }) vmon.Update(noise);
        Assert.Empty(_posted); // within MDEL of 12.0, the last value posted (exactly MDEL away is not beyond it)
        vmon.Update(12.02);
        vmon.Update(12.04);
        vmon.Update(12.06);
        Assert.Equal([CaEventMask.Value, CaEventMask.Value, CaEventMask.Value | CaEventMask.Log], _posted);
        _posted.Clear();

        vmon.Update(double.NaN);
        vmon.Update(double.NaN);
        Assert.Equal([CaEventMask.Value | CaEventMask.Log], _posted);
    }

    [Fact]
    public void A_dead_band_of_zero_posts_every_change_and_a_negative_one_every_update_while_enums_and_strings_post_on_change()
    {
        var status = Watched(new ProcessVariable("test:Status", CaType.Long, 0));
        status.Update(0);
        status.Update(1);
        Assert.Equal([CaEventMask.Value | CaEventMask.Log], _posted);
        _posted.Clear();

        var always = Watched(new ProcessVariable("test:Always", CaType.Double, 1.0) { MonitorDeadband = -1, ArchiveDeadband = 5 });
        always.Update(1.0);
        Assert.Equal([CaEventMask.Value], _posted);
        _posted.Clear();

        var pw = Watched(new ProcessVariable("test:Pw", CaType.Enum, (ushort)0) { EnumStrings = ["Off", "On"], MonitorDeadband = 5 });
        pw.Update((ushort)0);
        pw.Update((ushort)1);
        var name = Watched(new ProcessVariable("test:Name", CaType.String, "a"));
        name.Update("a");
        name.Update("b");
        Assert.Equal([CaEventMask.Value | CaEventMask.Log, CaEventMask.Value | CaEventMask.Log], _posted);
    }

    [Fact]
    public void An_alarm_posts_DBE_ALARM_and_stays_to_be_acknowledged_after_it_clears_until_acknowledged()
    {
        var imon = Watched(new ProcessVariable("test:IMon", CaType.Double, 1.0) { MonitorDeadband = 0.1 });
        Assert.Equal((true, AlarmSeverity.NoAlarm), Ack(imon));

        imon.Update(1.0, AlarmSeverity.Major, 3);
        imon.Update(1.0, AlarmSeverity.Minor, 3);
        imon.Update(1.0);
        Assert.Equal([CaEventMask.Alarm, CaEventMask.Alarm, CaEventMask.Alarm], _posted);
        Assert.Equal((true, AlarmSeverity.Major), Ack(imon)); // ACKT: the transient alarm is still to be acknowledged

        _posted.Clear();
        imon.Acknowledge(AlarmSeverity.Minor);
        Assert.Equal(AlarmSeverity.Major, Ack(imon).Severity); // below ACKS: not acknowledged
        imon.Acknowledge(AlarmSeverity.Major);
        Assert.Equal(AlarmSeverity.NoAlarm, Ack(imon).Severity);
        Assert.Equal([CaEventMask.Alarm], _posted);

        // Without ACKT, ACKS follows the alarm down, and turning ACKT off lowers it to the present severity.
        imon.Update(1.0, AlarmSeverity.Major, 3);
        imon.AcknowledgeTransients(false);
        imon.Update(1.0, AlarmSeverity.Minor, 3);
        Assert.Equal((false, AlarmSeverity.Minor), Ack(imon));
        imon.AcknowledgeTransients(true);
        imon.Update(1.0, AlarmSeverity.Major, 3);
        imon.Update(1.0);
        Assert.Equal((true, AlarmSeverity.Major), Ack(imon));
        imon.AcknowledgeTransients(false);
        Assert.Equal((false, AlarmSeverity.NoAlarm), Ack(imon));
    }

    private static (bool Transient, AlarmSeverity Severity) Ack(ProcessVariable pv) => (pv.Snapshot().AckTransient, pv.Snapshot().AckSeverity);

    [Fact]
    public void The_record_type_follows_the_field_type_and_whether_clients_may_write_it_unless_set()
    {
        Assert.Equal(
            ["ai", "ao", "longin", "longout", "bi", "bo", "mbbo", "stringin", "waveform", "calcout"],
            new[]
            {
                new ProcessVariable("a", CaType.Double, 0.0) { Writable = false },
                new ProcessVariable("b", CaType.Float, 0f),
                new ProcessVariable("c", CaType.Long, 0) { Writable = false },
                new ProcessVariable("d", CaType.Short, (short)0),
                new ProcessVariable("e", CaType.Enum, (ushort)0) { EnumStrings = ["Off", "On"], Writable = false },
                new ProcessVariable("f", CaType.Enum, (ushort)0) { EnumStrings = ["Off", "On"] },
                new ProcessVariable("g", CaType.Enum, (ushort)0) { EnumStrings = ["A", "B", "C"] },
                new ProcessVariable("h", CaType.String, "") { Writable = false },
                new ProcessVariable("i", CaType.Double, new double[3]),
                new ProcessVariable("j", CaType.Double, 0.0) { RecordType = "calcout" },
            }.Select(pv => pv.RecordType));
    }
}
