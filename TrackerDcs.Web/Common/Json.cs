using System.Text.Encodings.Web;
using System.Text.Json;

namespace TrackerDcs.Web.Common;

/// <summary>JSON as MQTT clients read it: quotes and non-ASCII text as they are, not \u-escaped for HTML.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
