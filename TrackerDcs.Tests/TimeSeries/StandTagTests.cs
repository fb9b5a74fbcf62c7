using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

public sealed class StandTagTests
{
    [Fact]
    public void Every_line_gets_the_stand_right_after_its_measurement_escapes_and_all()
    {
        using var lines = LineBatch.Of([
            "chiller internal_temp=18.5 1000",
            "channels,id=0,module=module_0 lv_vMon=12 1000",
            @"odd\ name\,x,tag=a\ b field=""x y"" 1000",
        ]);
        using var stamped = new StandTag("cold-box-2").Stamp(lines);
        Assert.Equal([
            "chiller,stand=cold-box-2 internal_temp=18.5 1000",
            "channels,stand=cold-box-2,id=0,module=module_0 lv_vMon=12 1000",
            @"odd\ name\,x,stand=cold-box-2,tag=a\ b field=""x y"" 1000",
        ], stamped.Lines());
        Assert.Equal(3, stamped.Count);
    }

    [Fact]
    public void An_empty_batch_stays_empty() =>
        Assert.Empty(new StandTag("a").Stamp(new LineBatch()).Lines());
}
