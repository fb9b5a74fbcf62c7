using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Web.Runs;

namespace TrackerDcs.Tests.Runs;

/// <summary>The start payload is strict, the log limiter counts what it drops, and run events are valid line protocol.</summary>
public sealed class StartRequestTests
{
    [Fact]
    public void A_full_payload_parses()
    {
        var request = StartRequest.Parse("""{"calibration":"pedestals","modules":["module_0","module_1"],"comment":"after re-gluing"}""");
        Assert.Equal(new StartRequest("pedestals", request.Modules, "after re-gluing"), request);
        Assert.Equal(["module_0", "module_1"], request.Modules);
        Assert.Equal("", StartRequest.Parse("""{"calibration":"pedestals","modules":["module_0"]}""").Comment);
    }

    [Theory]
    [InlineData("", "payload is not JSON")]
    [InlineData("ls -la; rm -rf /", "payload is not JSON")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("""{"modules":["module_0"]}""", "missing field 'calibration'")]
    [InlineData("""{"calibration":"pedestals"}""", "missing field 'modules'")]
    [InlineData("""{"calibration":"pedestals","modules":[]}""", "non-empty array")]
    [InlineData("""{"calibration":"pedestals","modules":"module_0"}""", "non-empty array")]
    [InlineData("""{"calibration":"pedestals","modules":[3]}""", "module names")]
    [InlineData("""{"calibration":"pedestals","modules":["module_0","module_0"]}""", "listed twice")]
    [InlineData("""{"calibration":7,"modules":["module_0"]}""", "'calibration' must be a non-empty string")]
    [InlineData("""{"calibration":"pedestals","modules":["module_0"],"comment":5}""", "'comment' must be a string")]
    [InlineData("""{"calibration":"pedestals","modules":["module_0"],"executable":"/bin/sh"}""", "unknown field 'executable'")]
    public void Bad_payloads_are_refused_with_their_reason(string payload, string reason)
    {
        var e = Assert.Throws<FormatException>(() => StartRequest.Parse(payload));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void The_log_limiter_lets_the_rate_through_and_counts_the_rest()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(5, time);
        var passed = Enumerable.Range(0, 20).Count(_ => limiter.TryTake(out _));
        Assert.Equal(5, passed);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryTake(out var dropped));
        Assert.Equal(15, dropped);
        Assert.Equal(0, limiter.TakeDropped());
    }

    [Fact]
    public void Run_events_escape_tags_and_strings_as_line_protocol_requires()
    {
        var line = InfluxLineProtocol.Line("runs", [("event", "start"), ("calibration", "noise scan,v2")],
            [("run", 12L), ("comment", "say \"hi\" \\ bye"), ("duration_s", 1.5)], 1_795_000_000_123);
        Assert.Equal("""runs,calibration=noise\ scan\,v2,event=start run=12i,comment="say \"hi\" \\ bye",duration_s=1.5 1795000000123""", line);
    }
}
