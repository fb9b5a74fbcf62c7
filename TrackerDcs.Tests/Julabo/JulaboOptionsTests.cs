using Microsoft.Extensions.Configuration;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Tests.Julabo;

public class JulaboOptionsTests
{
    [Fact]
    public void Binds_from_the_Julabo_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Julabo:Port"] = "/dev/ttyUSB1",
            ["Julabo:BaudRate"] = "9600",
            ["Julabo:DataBits"] = "8",
            ["Julabo:Parity"] = "None",
            ["Julabo:Handshake"] = "None",
            ["Julabo:CommandInterval"] = "00:00:00.300",
            ["Julabo:TempMin"] = "-30",
            // Must stay within TempMin..TempMax: the default -35 no longer does.
            ["Julabo:WarningLimitLow"] = "-25",
        }).Build();
        var options = configuration.GetSection(JulaboOptions.SectionName).Get<JulaboOptions>()!;

        Assert.Equal("/dev/ttyUSB1", options.Port);
        Assert.Equal(9600, options.BaudRate);
        Assert.Equal(System.IO.Ports.Parity.None, options.Parity);
        Assert.Equal(TimeSpan.FromMilliseconds(300), options.CommandInterval);
        Assert.Equal(-30, options.TempMin);
        Assert.Equal(50, options.TempMax);
        Assert.Equal((30, -25), (options.WarningLimitHigh, options.WarningLimitLow));
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Defaults_are_the_seed_serial_settings_and_the_simulator()
    {
        var options = new JulaboOptions();
        Assert.True(options.IsSimulated);
        // The seed's latest driver: 9600 8N1 with RTS/CTS (older units run 4800 7E1, a setting away).
        Assert.Equal((9600, 8, System.IO.Ports.Parity.None, System.IO.Ports.StopBits.One, System.IO.Ports.Handshake.RequestToSend),
            (options.BaudRate, options.DataBits, options.Parity, options.StopBits, options.Handshake));
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.CommandInterval);
    }

    [Fact]
    public void The_shipped_appsettings_bind_the_same_serial_defaults()
    {
        // What a stand started from the repository gets: appsettings.json spells every serial setting out.
        var configuration = new ConfigurationBuilder().AddJsonFile(Repository.File("appsettings.json")).Build();
        var options = configuration.GetSection(JulaboOptions.SectionName).Get<JulaboOptions>()!;
        Assert.Equal((9600, 8, System.IO.Ports.Parity.None, System.IO.Ports.StopBits.One, System.IO.Ports.Handshake.RequestToSend),
            (options.BaudRate, options.DataBits, options.Parity, options.StopBits, options.Handshake));
        Assert.Equal("serial /dev/ttyUSB0 9600 8N1 handshake RequestToSend", Transports.Create("/dev/ttyUSB0", options.Serial).Description);
    }

    [Fact]
    public void Validation_names_every_problem()
    {
        var problems = new JulaboSettings { Port = "ttyUSB0", TempMin = 10, TempMax = 0, ReplyTimeout = TimeSpan.Zero }.Validate();
        Assert.Equal(3, problems.Count);
        Assert.Throws<ArgumentException>(() => new JulaboDevice(new JulaboSettings { TempMin = 10, TempMax = 0 }));
    }

    [Theory]
    [InlineData(-40, 30, "Julabo:WarningLimitLow", "-40 must be a temperature within the unit's range TempMin..TempMax (-35..50 °C)")]
    [InlineData(-35, 60, "Julabo:WarningLimitHigh", "60 must be a temperature within the unit's range")]
    [InlineData(20, 10, "Julabo:WarningLimitLow", "20 must be below WarningLimitHigh 10")]
    [InlineData(10, 10, "Julabo:WarningLimitLow", "10 must be below WarningLimitHigh 10")]
    [InlineData(double.NaN, 30, "Julabo:WarningLimitLow", "NaN must be a temperature")]
    [InlineData(-35, double.PositiveInfinity, "Julabo:WarningLimitHigh", "must be a temperature")]
    public void Warning_limits_are_checked_and_the_problem_names_its_key(double low, double high, string key, string problem)
    {
        var problems = new JulaboOptions { TempMin = -35, WarningLimitLow = low, WarningLimitHigh = high }.Validate();
        var only = Assert.Single(problems);
        Assert.Contains(problem, only);
        Assert.Equal(key, JulaboOptions.KeyOf(only));
    }

    [Fact]
    public void Warning_limits_default_to_a_band_for_cooling_silicon_modules()
    {
        var options = new JulaboSettings();
        Assert.Equal((30, -35), (options.WarningLimitHigh, options.WarningLimitLow));
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("/dev/ttyUSB0", "serial /dev/ttyUSB0 9600 8N1 handshake RequestToSend")]
    [InlineData("daq-pc:8000", "tcp daq-pc:8000")]
    [InlineData("[::1]:8000", "tcp ::1:8000")]
    public void Port_chooses_the_transport(string port, string description) =>
        Assert.Equal(description, Transports.Create(port, new JulaboSettings().Serial).Description);
}
