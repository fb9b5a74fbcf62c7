namespace TrackerDcs.Web.Hosting;

/// <summary>Section "Endpoints": where Kestrel listens. A port of 0 turns that endpoint off.</summary>
public sealed class EndpointOptions
{
    public string HttpAddress { get; set; } = "0.0.0.0";
    public int HttpPort { get; set; } = 5000;
    public string HttpsAddress { get; set; } = "0.0.0.0";
    public int HttpsPort { get; set; } = 5001;
    /// <summary>Plain MQTT carries passwords in clear text: loopback only unless the lab decides otherwise.</summary>
    public string MqttAddress { get; set; } = "127.0.0.1";
    public int MqttPort { get; set; } = 1883;
    public string MqttTlsAddress { get; set; } = "0.0.0.0";
    public int MqttTlsPort { get; set; } = 8883;
}
