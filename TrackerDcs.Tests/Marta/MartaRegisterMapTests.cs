using TrackerDcs.Hardware.Marta;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Marta;

/// <summary>The seed's register map loads unchanged and reads in the right chunks; every kind of broken map is refused naming its line and key.</summary>
public class MartaRegisterMapTests
{
    internal static MartaRegisterMap SeedMap() => MartaRegisterMap.Load(Path.Combine(Repository.Root, MartaRegisterMap.DefaultFile));

    [Fact]
    public void The_seed_map_loads_with_its_types_deadbands_inputs_and_alarm_codes()
    {
        var map = SeedMap();
        Assert.Equal(112, map.Registers.Count); // 58 float32, 53 bools, the status int
        Assert.Equal(48, map.AlarmCodes.Count);

        Assert.Equal(new MartaRegister("PT01_R452A", MartaRegisterType.Float32, 100, null, false, 0.5, 3), map["PT01_R452A"]);
        Assert.Equal(5.0, map["EV1_valve_pos"].Deadband); // written "5." in the seed
        Assert.Equal(new MartaRegister("set_start_co2", MartaRegisterType.Bool, 305, 1, true, 0, map["set_start_co2"].Line), map["set_start_co2"]);
        Assert.Equal(MartaRegisterType.Int, map["status"].Type);
        Assert.Equal(["set_start_chiller", "set_start_co2", "set_flow_active", "set_alarm_reset", "set_temperature_setpoint", "set_speed_setpoint", "set_flow_setpoint"],
            map.Registers.Where(r => r.Input).Select(r => r.Name));

        var pumpTrip = map.AlarmCodes.Single(a => a.Register.Name == "TT04_CO2_HT_TS");
        Assert.Equal("Error: Accumulator heater temperature very high", pumpTrip.Message);
        Assert.True(pumpTrip.FailSafe);
        Assert.False(map.AlarmCodes.Single(a => a.Register.Name == "CP_HP_W").FailSafe);
        Assert.Equal("Error: Pump outlet pressure too high", map.AlarmCodes.Single(a => a.Register.Name == "PT02_CO2_HP_FS").Message); // a comment followed it
        // Bits without a message are registers all the same, only not alarms.
        Assert.Null(map.AlarmCodes.FirstOrDefault(a => a.Register.Name == "CP_LP_FS"));
        Assert.NotNull(map.Find("CP_LP_FS"));
    }

    [Fact]
    public void The_seed_map_is_read_in_contiguous_chunks_broken_at_gaps_and_at_125_registers()
    {
        var map = SeedMap();
        // 166–167 are unused (SC02 ends at 165, SC03 starts at 168), 212–299, 304, 306–309 and 316–319 too.
        Assert.Equal([new(100, 66), new(168, 44), new(300, 4), new(305, 1), new(310, 6), new(320, 1)], map.ReadPlan);
        Assert.Equal(321, map.ImageSize);

        var long_ = MartaRegisterMap.Parse(string.Join('\n', ["registers:", .. Enumerable.Range(0, 100).Select(i => $"  F{i}: {{ type: float32, address: {2 * i} }}")]), "long.yml");
        // 200 contiguous registers: 124 (62 float32s; a float32 is never split) and 76.
        Assert.Equal([new(0, 124), new(124, 76)], long_.ReadPlan);
    }

    [Fact]
    public void Values_decode_with_the_low_word_at_the_lower_address()
    {
        var map = SeedMap();
        var image = new ushort[map.ImageSize];
        var words = MartaRegister.EncodeFloat32(-21.37f);
        Assert.NotEqual(words[0], words[1]);
        Assert.Equal((ushort)(BitConverter.SingleToInt32Bits(-21.37f) & 0xFFFF), words[0]);
        (image[134], image[135]) = (words[0], words[1]);
        image[305] = 0b0101;
        image[320] = 3;
        image[303] = 1 << 3;

        var values = map.Decode(image);
        Assert.Equal(-21.37f, (float)values["TT05_CO2"].Number);
        Assert.Equal("-21.37", values["TT05_CO2"].ToString());
        Assert.True(values["set_start_chiller"].IsTrue);
        Assert.False(values["set_start_co2"].IsTrue);
        Assert.True(values["set_flow_active"].IsTrue);
        Assert.Equal(new MartaValue(MartaRegisterType.Int, 3), values["status"]);
        Assert.True(values["TT04_CO2_HT_TS"].IsTrue);
        Assert.Equal(map.Registers.Select(r => r.Name), values.Keys);

        Assert.Equal(0b0111, map["set_start_co2"].WithBit(0b0101, true));
        Assert.Equal(0b0100, map["set_start_chiller"].WithBit(0b0101, false));
    }

    public static TheoryData<string, string, int, string, string> BrokenMaps => new()
    {
        {
            "unknown type",
            "registers:\n  A:\n    type: float64\n    address: 1\n", 3, "type", "unknown type 'float64' (expected one of: int, float32, bool)"
        },
        {
            "float32 overlapping a float32",
            "registers:\n  A:\n    type: float32\n    address: 100\n  B:\n    type: float32\n    address: 101\n", 5, "address", "register B (float32 at 101–102) overlaps A (float32 at 100–101, line 2)"
        },
        {
            "int on a float32's second word",
            "registers:\n  A: { type: float32, address: 100 }\n  B: { address: 101 }\n", 3, "address", "only bools may share a register"
        },
        {
            "bool sharing an int's register",
            "registers:\n  A: { address: 7 }\n  B: { type: bool, address: 7, bit: 0 }\n", 3, "address", "register B (bool at 7 bit 0) overlaps A (int at 7, line 2): only bools may share a register"
        },
        {
            "two bools on one bit",
            "registers:\n  A: { type: bool, address: 7, bit: 3 }\n  B: { type: bool, address: 7, bit: 3 }\n", 3, "address", "bools of one register need different bits"
        },
        {
            "bit outside 0-15",
            "registers:\n  A:\n    type: bool\n    address: 7\n    bit: 16\n", 5, "bit", "register A: 16 is outside 0–15 (a register has 16 bits)"
        },
        {
            "bit on a float32",
            "registers:\n  A:\n    type: float32\n    address: 7\n    bit: 2\n", 5, "bit", "only a bool has a bit, and this is float32"
        },
        {
            "bool without a bit",
            "registers:\n  A:\n    type: bool\n    address: 7\n", 2, "bit", "a bool needs its bit (0–15)"
        },
        {
            "alarm code naming no register",
            "registers:\n  A: { type: bool, address: 7, bit: 0 }\nalarm_codes:\n  A: \"fine\"\n  B_FS: \"Error: nothing\"\n", 5, "B_FS", "an alarm code names no register of the map"
        },
        {
            "alarm code naming a float32",
            "registers:\n  T: { type: float32, address: 7 }\nalarm_codes:\n  T: \"hot\"\n", 4, "T", "an alarm code names a bool register, and T is float32 at 7–8"
        },
        {
            "duplicate register name",
            "registers:\n  A: { address: 1 }\n  B: { address: 2 }\n  A: { address: 3 }\n", 4, "A", "not valid YAML"
        },
        {
            "missing address",
            "registers:\n  A:\n    type: float32\n    deadband: 0.5\n", 2, "address", "register A has no address"
        },
        {
            "unknown key",
            "registers:\n  A:\n    address: 1\n    adress: 2\n", 4, "adress", "unknown key in register A (expected one of: type, address, bit, input, deadband)"
        },
        {
            "unknown top-level key",
            "registers:\n  A: { address: 1 }\nalarms:\n  A: x\n", 3, "alarms", "unknown key in the file (expected one of: registers, alarm_codes)"
        },
        {
            "address that is not a number",
            "registers:\n  A:\n    address: 0x64\n", 3, "address", "register A: '0x64' is not an integer"
        },
        {
            "float32 running past 65535",
            "registers:\n  A: { type: float32, address: 65535 }\n", 2, "address", "65535 is outside 0–65534 (a float32 takes two registers)"
        },
        {
            "negative deadband",
            "registers:\n  A:\n    address: 1\n    deadband: -1\n", 4, "deadband", "'-1' is not a non-negative number"
        },
        {
            "input that is not a boolean",
            "registers:\n  A:\n    address: 1\n    input: yes please\n", 4, "input", "'yes please' is not true or false"
        },
        {
            "no registers",
            "alarm_codes:\n  A: x\n", 1, "registers", "a mapping of register names is required"
        },
        {
            "not YAML",
            "registers:\n  A: { address: 1\n  B: 2\n", 2, "A", "not valid YAML: an unterminated or broken structure after this line"
        },
    };

    [Theory]
    [MemberData(nameof(BrokenMaps))]
    public void A_broken_map_is_refused_naming_file_line_and_key(string what, string text, int line, string key, string expected)
    {
        var e = Assert.Throws<MartaMapException>(() => MartaRegisterMap.Parse(text, "broken.yml"));
        Assert.True(e.Line == line && e.Key == key && e.Message.Contains(expected),
            $"{what}: expected line {line}, key '{key}', '{expected}'; got: {e.Message}");
        Assert.StartsWith($"broken.yml:{line}: '{key}': ", e.Message);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-map-{Guid.NewGuid():N}.yml");
        var e = Assert.Throws<MartaMapException>(() => MartaRegisterMap.Load(path));
        Assert.StartsWith($"{path}:0: cannot read the register map", e.Message);
    }
}
