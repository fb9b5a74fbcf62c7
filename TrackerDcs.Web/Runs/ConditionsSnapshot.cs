using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Sensors;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// The DCS conditions of one instant, stored with a run at its start and end: the crate and each channel's
/// set points, readings and state, the chiller, the sensor boxes and dew-point margin, the active and shelved
/// alarms, and the hashes of appsettings.json, interlocks.yml, the
/// channels.yml and of the calibration's settings in force, so a result can be traced to its configuration.
/// </summary>
public sealed class ConditionsSnapshot(IDeviceView<CaenView> caen, IDeviceView<JulaboView> julabo, IDeviceView<SensorsView> sensors, AlarmManager alarms, TimeProvider time)
{
    public JsonObject Take(CalibrationOptions calibration)
    {
        var crate = caen.View;
        var environment = sensors.View;
        var snapshot = new JsonObject
        {
            ["time_ms"] = time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["crate"] = CaenTopics.StatusPayload(crate),
            ["channels"] = new JsonArray([.. crate.Channels.Select(CaenTopics.ChannelPayload)]),
            ["channels_yml_sha256"] = crate.MapSha256,
            ["settings_sha256"] = SettingsHash(calibration),
            ["appsettings_sha256"] = FileHash("appsettings.json"),
            ["interlocks_sha256"] = FileHash("interlocks.yml"),
            ["chiller"] = JulaboTopics.StatusPayload(julabo.View),
            ["environment"] = new JsonObject
            {
                ["boxes"] = new JsonObject(environment.Boxes.Select(b => KeyValuePair.Create(b.Name, (JsonNode?)new JsonObject
                {
                    ["readings"] = JsonSerializer.SerializeToNode(b.Readings),
                    ["dew_point"] = b.DewPoint,
                    ["last_seen_ms"] = b.LastSeen.ToUnixTimeMilliseconds(),
                }))),
                ["highest_dew_point"] = environment.HighestDewPoint,
                ["dew_point_margin"] = environment.DewPointMargin,
            },
            ["alarms"] = new JsonObject
            {
                ["active"] = new JsonArray([.. alarms.Active.Where(a => a.ShelvedUntil is null).Select(AlarmManager.ToJson)]),
                ["shelved"] = new JsonArray([.. alarms.Active.Where(a => a.ShelvedUntil is not null).Select(AlarmManager.ToJson)]),
            },
        };
        return snapshot;
    }

    /// <summary>SHA-256 of a settings file beside the binary (where the process read it), or null when there is none.</summary>
    private static string? FileHash(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        return File.Exists(path) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) : null;
    }

    /// <summary>SHA-256 of the calibration's settings as JSON: two runs with equal hashes ran the same definition.</summary>
    public static string SettingsHash(CalibrationOptions calibration) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(calibration))));
}
