using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// A Kubernetes API server for tests, following the API conventions rather than Packyard's code: discovery, CRDs
/// from <c>crds/*.yaml</c> with schema validation, namespaced CRUD, the status subresource, finalizers, merge patch,
/// an approximated server-side apply, list with pagination, watch with bookmarks and 410 Gone, and Table output.
/// It listens on 127.0.0.1 over HTTPS with a CA generated at start, authenticates bearer tokens from a table and
/// client certificates signed by that CA (<c>TestApiServer.Authentication.cs</c>), authorises every request by RBAC
/// over the stored roles (<see cref="RbacAuthorizer"/>) and records it (<c>TestApiServer.Audit.cs</c>).
/// </summary>
public sealed partial class TestApiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task bookmarks;
    private IReadOnlyList<ServedResource> resources = ServedResource.BuiltIn;

    private TestApiServer(WebApplication app, X509Certificate2 ca, string token, TimeSpan bookmarkInterval)
    {
        this.app = app;
        CaCertificate = ca;
        Token = token;
        tokens[token] = new TestUser(AdminUser, [TestUser.Masters, TestUser.Authenticated]);
        Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        bookmarks = Task.Run(async () =>
        {
            while (!stopping.IsCancellationRequested)
            {
                await Task.Delay(bookmarkInterval, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                Store.Bookmark();
            }
        });
    }

    public Uri Url { get; }

    /// <summary>The bearer token of the cluster administrator (<see cref="AdminUser"/> in <c>system:masters</c>).</summary>
    public string Token { get; }

    /// <summary>The CA that signed the serving certificate (and accepted client certificates).</summary>
    public X509Certificate2 CaCertificate { get; }

    public string CaPem => CaCertificate.ExportCertificatePem();

    /// <summary>The built-in kinds and the resources of the CustomResourceDefinitions currently stored.</summary>
    public IReadOnlyList<ServedResource> Resources => Volatile.Read(ref resources);

    public ResourceStore Store { get; } = new();

    /// <summary>Every request served: method, path and query, content type.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<TestApiServer> StartAsync(TimeSpan? bookmarkInterval = null, CancellationToken cancellationToken = default)
    {
        var ca = CreateCa();
        var serving = CreateLeaf(ca, "kube-apiserver", server: true);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = serving;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, ca);
        })));
        var app = builder.Build();
        TestApiServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(cancellationToken);
        server = new TestApiServer(app, ca, token, bookmarkInterval ?? TimeSpan.FromSeconds(1));
        server.Store.Write(server.Resource("", "namespaces"), null, "default", NewNamespace("default"), "ADDED");
        server.WriteBootstrapPolicy();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "crds"), "*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var document in YamlJson.ParseAll(await File.ReadAllTextAsync(file, cancellationToken)))
            {
                if (document["kind"]?.GetValue<string>() == "CustomResourceDefinition")
                {
                    server.InstallCrd(document.AsObject());
                }
            }
        }

        return server;
    }

    public ServedResource Resource(string group, string plural) =>
        Resources.First(r => r.Group == group && r.Plural == plural);

    /// <summary>
    /// A client certificate for <paramref name="user"/> (CN) in <paramref name="groups"/> (O; by default
    /// <c>system:masters</c>, an administrator) signed by the server's CA.
    /// </summary>
    public X509Certificate2 IssueClientCertificate(string user, IReadOnlyList<string>? groups = null) =>
        CreateLeaf(CaCertificate, user, server: false, groups ?? [TestUser.Masters]);

    /// <summary>Writes a kubeconfig with the CA data and, by default, the bearer token; returns its path.</summary>
    public string WriteKubeconfig(string directory, string? userYaml = null)
    {
        userYaml ??= $"    token: {Token}";
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {Url.ToString().TrimEnd('/')}
                certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(CaPem))}
            contexts:
            - name: test
              context:
                cluster: test
                user: tester
                namespace: default
            current-context: test
            users:
            - name: tester
              user:
            {userYaml}

            """);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        Store.DropWatches();
        await bookmarks;
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }

    internal static JsonObject NewNamespace(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["uid"] = Guid.NewGuid().ToString(),
            ["creationTimestamp"] = ApiRequestHandler.Now(),
        },
        ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
        ["status"] = new JsonObject { ["phase"] = "Active" },
    };

    private async Task HandleAsync(HttpContext context)
    {
        var user = Authenticate(context);
        var attributes = RequestAttributes.From(context.Request);
        Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.ContentType)
        {
            Attributes = attributes,
            User = user?.Name,
        });
        if (user is null)
        {
            await ApiRequestHandler.WriteAsync(context, 401, new ApiError(401, "Unauthorized", "Unauthorized").ToStatus());
            return;
        }

        if (!RbacAuthorizer.Authorize(this, user, attributes).Allowed)
        {
            await ApiRequestHandler.WriteAsync(context, 403, RbacAuthorizer.Forbidden(user, attributes).ToStatus());
            return;
        }

        await new ApiRequestHandler(this, context, stopping.Token).HandleAsync();
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static X509Certificate2 CreateCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=packyard-test-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 CreateLeaf(X509Certificate2 ca, string commonName, bool server, IReadOnlyList<string>? organizations = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var organization in organizations ?? [])
        {
            subject.AddOrganizationName(organization);
        }

        subject.AddCommonName(commonName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>One request as the server saw it, when it arrived, who sent it and what it asked for.</summary>
    public sealed record RecordedRequest(string Method, string PathAndQuery, string? ContentType)
    {
        public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;

        /// <summary>The authenticated user; null when authentication failed (401).</summary>
        public string? User { get; init; }

        /// <summary>The Kubernetes verb and resource (or non-resource path).</summary>
        public RequestAttributes? Attributes { get; init; }

        public string Verb => Attributes?.Verb ?? Method.ToLowerInvariant();

        /// <summary>create, update, patch, delete or deletecollection.</summary>
        public bool IsWrite => Attributes?.IsWrite == true;
    }
}
