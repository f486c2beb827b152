using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// Debian's <c>docker-registry</c> (the reference registry, distribution 2.8) on 127.0.0.1, for the container tests and the
/// benchmark: a config written here (filesystem storage in a temporary directory, deletes enabled), anonymous, behind a
/// <see cref="BearerTokenServer"/>, or as a pull-through cache of one upstream. Clients reach it through a counting reverse
/// proxy (<see cref="Address"/>) that records every request, so tests can assert "each blob fetched once"; the registry
/// itself is <see cref="DirectAddress"/>. <see cref="StopAsync"/> takes both down (an upstream that is gone) and
/// <see cref="StartAgainAsync"/> brings them back on the same ports with the same content. The processes are killed on dispose.
/// </summary>
public sealed class ReferenceRegistry : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] HopByHop = ["Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer"];

    private readonly ReferenceRegistryOptions options;
    private readonly TemporaryDirectory directory = new();
    private readonly ConcurrentQueue<RegistryRequest> requests = new();
    private readonly List<string> output = [];
    private readonly int registryPort;
    private readonly int proxyPort;
    private readonly HttpClient forward;
    private Process? process;
    private WebApplication? proxy;

    private ReferenceRegistry(ReferenceRegistryOptions options)
    {
        this.options = options;
        StorageDirectory = options.StorageDirectory ?? Path.Combine(directory.Path, "storage");
        Directory.CreateDirectory(StorageDirectory);
        registryPort = HttpUpstream.FreePort();
        proxyPort = options.CountRequests ? HttpUpstream.FreePort() : registryPort;
        DirectAddress = new Uri($"http://127.0.0.1:{registryPort}/");
        Address = new Uri($"http://127.0.0.1:{proxyPort}/");
        ConfigPath = Path.Combine(directory.Path, "config.yml");
        File.WriteAllText(ConfigPath, Config());
        forward = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            MaxConnectionsPerServer = 64,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>What clients use: <c>http://127.0.0.1:PORT/</c> (the counting proxy unless <see cref="ReferenceRegistryOptions.CountRequests"/> is false).</summary>
    public Uri Address { get; }

    /// <summary>The registry process itself, bypassing the counting proxy.</summary>
    public Uri DirectAddress { get; }

    /// <summary><c>127.0.0.1:PORT</c> of <see cref="Address"/>: the registry part of an image reference.</summary>
    public string Host => $"127.0.0.1:{proxyPort}";

    public string StorageDirectory { get; }

    public string ConfigPath { get; }

    /// <summary>The token server the registry trusts, when it is protected.</summary>
    public BearerTokenServer? TokenServer => options.TokenServer;

    /// <summary>Every request the counting proxy forwarded, in completion order of their response headers.</summary>
    public IReadOnlyList<RegistryRequest> Requests => [.. requests];

    /// <summary>The registry's recent output, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output.TakeLast(60));
            }
        }
    }

    public static async Task<ReferenceRegistry> StartAsync(ReferenceRegistryOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Free ports are picked before the processes bind them; another test may take one in between: try fresh ports then.
        for (var attempt = 1; ; attempt++)
        {
            var registry = new ReferenceRegistry(options ?? new ReferenceRegistryOptions());
            try
            {
                await registry.StartAgainAsync(cancellationToken);
                return registry;
            }
            catch (Exception e) when (attempt < 3 && (e is IOException || e.Message.Contains("address already in use", StringComparison.Ordinal)))
            {
                await registry.DisposeAsync();
            }
            catch
            {
                await registry.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary><c>127.0.0.1:PORT/NAME:TAG</c>, or <c>…/NAME@sha256:…</c> when <paramref name="tagOrDigest"/> is a digest.</summary>
    public string Reference(string name, string tagOrDigest) =>
        $"{Host}/{name}{(tagOrDigest.Contains(':', StringComparison.Ordinal) ? "@" : ":")}{tagOrDigest}";

    /// <summary>The skopeo transport form of <see cref="Reference"/>: <c>docker://127.0.0.1:PORT/NAME:TAG</c>.</summary>
    public string Docker(string name, string tagOrDigest) => "docker://" + Reference(name, tagOrDigest);

    /// <summary>How many <paramref name="method"/> requests for exactly <paramref name="path"/> (e.g. <c>/v2/a/b/blobs/sha256:…</c>) were answered.</summary>
    public int CountRequests(string method, string path) =>
        requests.Count(r => r.Method == method && r.Path == path);

    /// <summary>How many GETs of blob <paramref name="digest"/> of <paramref name="name"/> were answered (HEADs are not counted).</summary>
    public int BlobGets(string name, string digest) => CountRequests("GET", $"/v2/{name}/blobs/{digest}");

    /// <summary>Forgets the recorded requests (e.g. after pushing the test images, before the behaviour under test).</summary>
    public void ResetRequests() => requests.Clear();

    /// <summary>
    /// Tags manifest <paramref name="digest"/> (already pushed to <paramref name="name"/>) under every one of <paramref name="tags"/>
    /// by writing distribution's link files into the storage directly: 100,000 tags in seconds, where PUTs take minutes. The
    /// registry reads tags from storage on every request, so they are served at once.
    /// </summary>
    public void AddTagsInStorage(string name, string digest, IEnumerable<string> tags)
    {
        var hex = digest["sha256:".Length..];
        var root = Path.Combine(StorageDirectory, "docker", "registry", "v2", "repositories", name, "_manifests");
        if (!File.Exists(Path.Combine(root, "revisions", "sha256", hex, "link")))
        {
            throw new InvalidOperationException($"{name}@{digest} is not in the registry: push it first");
        }

        foreach (var tag in tags)
        {
            var current = Path.Combine(root, "tags", tag, "current");
            var index = Path.Combine(root, "tags", tag, "index", "sha256", hex);
            Directory.CreateDirectory(current);
            Directory.CreateDirectory(index);
            File.WriteAllText(Path.Combine(current, "link"), digest);
            File.WriteAllText(Path.Combine(index, "link"), digest);
        }
    }

    /// <summary>
    /// Replaces the stored bytes of blob (or manifest) <paramref name="digest"/> with as many different bytes, so the registry
    /// (which does not verify on read) serves content that does not match its digest: a hostile or broken upstream.
    /// </summary>
    public void CorruptBlob(string digest)
    {
        var hex = digest["sha256:".Length..];
        var data = Path.Combine(StorageDirectory, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
        var bytes = File.ReadAllBytes(data);
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] ^= 0x5a;
        }

        File.WriteAllBytes(data, bytes);
    }

    /// <summary>Starts the registry (and its counting proxy) on the ports chosen at creation, with the same storage.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (process is { HasExited: false })
        {
            throw new InvalidOperationException("the registry is running");
        }

        var start = new ProcessStartInfo("docker-registry")
        {
            ArgumentList = { "serve", ConfigPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri(DirectAddress, "/v2/"), cancellationToken);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"docker-registry did not answer on {DirectAddress} within {StartTimeout}:\n{Output}");
            }

            await Task.Delay(50, cancellationToken);
        }

        if (options.CountRequests)
        {
            proxy = BuildProxy();
            await proxy.StartAsync(cancellationToken);
        }
    }

    /// <summary>Stops the registry and its proxy: connections to <see cref="Address"/> are refused until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (proxy is not null)
        {
            await proxy.StopAsync();
            await proxy.DisposeAsync();
            proxy = null;
        }

        if (process is not null)
        {
            OciTool.Kill(process);
            process.Dispose();
            process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        forward.Dispose();
        directory.Dispose();
    }

    private string Config()
    {
        var config = new StringBuilder();
        config.Append(CultureInfo.InvariantCulture, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {StorageDirectory}
              delete:
                enabled: true
              cache:
                blobdescriptor: inmemory
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:{registryPort}
              secret: {Guid.NewGuid():N}

            """);
        if (options.TokenServer is { } tokens)
        {
            config.Append(CultureInfo.InvariantCulture, $"""
                auth:
                  token:
                    realm: {tokens.Realm}
                    service: {tokens.Options.Service}
                    issuer: {tokens.Options.Issuer}
                    rootcertbundle: {tokens.CertificateBundlePath}

                """);
        }

        if (options.ProxyRemoteUrl is { } remote)
        {
            config.Append(CultureInfo.InvariantCulture, $"""
                proxy:
                  remoteurl: {remote.GetLeftPart(UriPartial.Authority)}

                """);
            if (options.ProxyUsername is not null)
            {
                config.Append(CultureInfo.InvariantCulture, $"  username: \"{options.ProxyUsername}\"\n  password: \"{options.ProxyPassword}\"\n");
            }
        }

        return config.ToString();
    }

    private WebApplication BuildProxy()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, proxyPort);
        });
        var app = builder.Build();
        app.Run(ForwardAsync);
        return app;
    }

    /// <summary>Forwards one request to the registry as it came (Host kept, so the registry's Location URLs name the proxy) and streams the answer back.</summary>
    private async Task ForwardAsync(HttpContext http)
    {
        var incoming = http.Request;
        using var outgoing = new HttpRequestMessage(new HttpMethod(incoming.Method),
            new Uri(DirectAddress, incoming.Path.ToUriComponent() + incoming.QueryString.ToUriComponent()));
        var hasBody = incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0;
        if (hasBody)
        {
            outgoing.Content = new StreamContent(incoming.Body);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name, StringComparer.OrdinalIgnoreCase) || name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && outgoing.Content is not null)
            {
                outgoing.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        outgoing.Headers.Host = incoming.Host.Value;
        HttpResponseMessage response;
        try
        {
            response = await forward.SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            Record(incoming, StatusCodes.Status502BadGateway);
            http.Response.StatusCode = StatusCodes.Status502BadGateway;
            await http.Response.WriteAsync(e.Message, http.RequestAborted);
            return;
        }

        using (response)
        {
            Record(incoming, (int)response.StatusCode);
            http.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    http.Response.Headers[name] = values.ToArray();
                }
            }

            if (HttpMethods.IsHead(incoming.Method))
            {
                await http.Response.CompleteAsync();
                return;
            }

            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await using var body = await response.Content.ReadAsStreamAsync(http.RequestAborted);
            await body.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    private void Record(HttpRequest request, int status)
    {
        var authorization = request.Headers.Authorization.ToString();
        var scheme = authorization.Length == 0 ? null : authorization.Split(' ', 2)[0];
        requests.Enqueue(new RegistryRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", status, scheme));
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Add(line);
            if (output.Count > 400)
            {
                output.RemoveRange(0, 200);
            }
        }
    }
}
