using System.Net;
using System.Text.RegularExpressions;

namespace TrackerDcs.Tests.Support;

/// <summary>
/// The panel's login as a browser does it, without a browser: a client that keeps cookies and does not follow
/// redirects, the form's antiforgery token, then the post (for tests of what the form and the cookies answer).
/// </summary>
public static partial class PanelForm
{
    /// <summary>A client trusting exactly the stand's certificate, keeping its cookies in <paramref name="cookies"/>.</summary>
    public static HttpClient Client(StandProcess stand, CookieContainer cookies)
    {
        var trusted = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(stand.CertificatePem);
        return new HttpClient(new HttpClientHandler
        {
            CookieContainer = cookies,
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == trusted.Thumbprint,
        }) { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Posts the login form; the answer is not followed (a redirect to the return URL, or back to the form).</summary>
    public static async Task<HttpResponseMessage> LogInAsync(StandProcess stand, HttpClient client, string name, string password, string returnUrl = "/")
    {
        var form = await client.GetStringAsync($"https://localhost:{stand.HttpsPort}/login");
        var token = TokenField().Match(form);
        if (!token.Success) throw new InvalidOperationException($"no antiforgery token in the login form: {form}");
        return await client.PostAsync($"https://localhost:{stand.HttpsPort}/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups["value"].Value),
            ["Name"] = name,
            ["Password"] = password,
            ["ReturnUrl"] = returnUrl,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"(?<value>[^\"]+)\"|value=\"(?<value>[^\"]+)\"[^>]*name=\"__RequestVerificationToken\"")]
    private static partial Regex TokenField();
}
