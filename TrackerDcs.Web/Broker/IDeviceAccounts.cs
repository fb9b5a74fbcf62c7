namespace TrackerDcs.Web.Broker;

/// <summary>
/// Accounts that belong to a declared device speaking MQTT itself (MqttDevices): such an account sees and
/// publishes only below its device's root, whatever prefixes the account was created with.
/// </summary>
public interface IDeviceAccounts
{
    /// <summary>The topic root of the device this account belongs to, or null for any other account.</summary>
    string? RootOf(string account);
}
