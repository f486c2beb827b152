using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// Docker's token protocol on 127.0.0.1, for a <see cref="ReferenceRegistry"/> configured with <c>auth: token</c>: a client
/// the registry answers 401 <c>WWW-Authenticate: Bearer realm=…,service=…,scope=…</c> asks
/// <c>GET {realm}?service=…&amp;scope=repository:NAME:pull,push</c> (Basic credentials optional; the OAuth2 password grant by
/// POST too) and gets <c>{"token","access_token","expires_in","issued_at"}</c>. Tokens are RS256 JWTs whose header carries the
/// signing certificate in <c>x5c</c>; that self-signed certificate is the registry's <c>rootcertbundle</c>
/// (<see cref="CertificateBundlePath"/>), which is how distribution 2.8 trusts them. Every request is recorded in
/// <see cref="Requests"/> so tests can assert that a client cached its token.
/// </summary>
public sealed class BearerTokenServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly RSA key = RSA.Create(2048);
    private readonly X509Certificate2 certificate;
    private readonly TemporaryDirectory directory = new();
    private readonly ConcurrentQueue<TokenRequest> requests = new();

    private BearerTokenServer(BearerTokenServerOptions options)
    {
        Options = options;
        var request = new CertificateRequest("CN=" + options.Issuer, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CertificateBundlePath = directory.Write("token-signing.crt", certificate.ExportCertificatePem() + "\n");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app = builder.Build();
        app.Map("/token", HandleAsync);
    }

    public BearerTokenServerOptions Options { get; }

    /// <summary>The token endpoint, e.g. <c>http://127.0.0.1:41234/token</c>: the registry's <c>realm</c>.</summary>
    public Uri Realm { get; private set; } = null!;

    /// <summary>The PEM file of the signing certificate: the registry's <c>rootcertbundle</c>.</summary>
    public string CertificateBundlePath { get; }

    /// <summary>Every token request so far, in arrival order.</summary>
    public IReadOnlyList<TokenRequest> Requests => [.. requests];

    /// <summary>How many tokens were issued (requests answered 200).</summary>
    public int IssuedTokens => requests.Count(r => r.Status == StatusCodes.Status200OK);

    public static async Task<BearerTokenServer> StartAsync(BearerTokenServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new BearerTokenServer(options ?? new BearerTokenServerOptions());
        await server.app.StartAsync(cancellationToken);
        var address = server.app.Urls.Single();
        server.Realm = new Uri(new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)), "/token");
        return server;
    }

    /// <summary>Forgets the recorded requests (e.g. after pushing the test images, before the behaviour under test).</summary>
    public void ResetRequests() => requests.Clear();

    /// <summary>A token for <paramref name="scopes"/> as <paramref name="user"/>, without a request: for tests that build Authorization headers.</summary>
    public string IssueToken(string? user, IEnumerable<string> scopes) => Sign(user, Grant(user, scopes.ToList()));

    private async Task HandleAsync(HttpContext http)
    {
        var query = http.Request.Query;
        var service = query["service"].ToString();
        var scopes = query["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        string? user = null;
        string? password = null;
        var basic = http.Request.Headers.Authorization.ToString();
        if (basic.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            (user, password) = colon < 0 ? (decoded, "") : (decoded[..colon], decoded[(colon + 1)..]);
        }
        else if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            if (form["grant_type"] != "password")
            {
                requests.Enqueue(new TokenRequest(null, form["service"], scopes, [], StatusCodes.Status400BadRequest));
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await http.Response.WriteAsJsonAsync(new { error = "unsupported_grant_type" }, http.RequestAborted);
                return;
            }

            service = form["service"].ToString();
            scopes = form["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            (user, password) = (form["username"].ToString(), form["password"].ToString());
        }

        var known = user is not null && Options.Users.TryGetValue(user, out var expected) && expected == password;
        if ((user is not null && !known) || (user is null && !Options.AnonymousPull) || (service.Length > 0 && service != Options.Service))
        {
            requests.Enqueue(new TokenRequest(user, service, scopes, [], StatusCodes.Status401Unauthorized));
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Options.Issuer}\"";
            await http.Response.WriteAsJsonAsync(new { details = "incorrect username or password" }, http.RequestAborted);
            return;
        }

        var granted = Grant(user, scopes);
        var token = Sign(user, granted);
        requests.Enqueue(new TokenRequest(user, service, scopes, [.. granted.Select(g => $"{g.Type}:{g.Name}:{string.Join(',', g.Actions)}")],
            StatusCodes.Status200OK));
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsJsonAsync(new
        {
            token,
            access_token = token,
            expires_in = (int)Options.TokenLifetime.TotalSeconds,
            issued_at = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        }, http.RequestAborted);
    }

    /// <summary>Known users get every action they ask for; anonymous callers only <c>pull</c>.</summary>
    private static List<(string Type, string Name, string[] Actions)> Grant(string? user, IReadOnlyList<string> scopes)
    {
        var granted = new List<(string, string, string[])>();
        foreach (var scope in scopes)
        {
            // type:name:actions, where a name may carry a registry port ("localhost:5000/x" never does here, but be lenient).
            var first = scope.IndexOf(':', StringComparison.Ordinal);
            var last = scope.LastIndexOf(':');
            if (first < 0 || last == first)
            {
                continue;
            }

            var actions = scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (user is null)
            {
                actions = [.. actions.Where(a => a == "pull")];
            }

            granted.Add((scope[..first], scope[(first + 1)..last], actions));
        }

        return granted;
    }

    private string Sign(string? user, List<(string Type, string Name, string[] Actions)> granted)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new JsonArray(Convert.ToBase64String(certificate.RawData)),
        };
        var access = new JsonArray();
        foreach (var (type, name, actions) in granted)
        {
            access.Add(new JsonObject { ["type"] = type, ["name"] = name, ["actions"] = new JsonArray([.. actions.Select(a => JsonValue.Create(a))]) });
        }

        var claims = new JsonObject
        {
            ["iss"] = Options.Issuer,
            ["sub"] = user ?? "",
            ["aud"] = Options.Service, // distribution 2.8 reads aud as one string
            ["exp"] = now + (long)Options.TokenLifetime.TotalSeconds,
            ["nbf"] = now - 1,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signed = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        certificate.Dispose();
        key.Dispose();
        directory.Dispose();
    }
}
