using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Packyard.Kubernetes.Configuration;
using Packyard.Kubernetes.Models;

namespace Packyard.Kubernetes;

/// <summary>
/// A typed Kubernetes API client: get, list (paged), create, replace, delete, merge patch, server-side apply, the
/// status subresource and watch (see <c>KubernetesClient.Watch.cs</c>). Errors throw <see cref="KubernetesApiException"/>
/// carrying the server's Status; 409 throws <see cref="KubernetesConflictException"/>, 410 <see cref="ResourceExpiredException"/>.
/// </summary>
public sealed partial class KubernetesClient : IDisposable
{
    private readonly HttpClient http;
    private readonly ILogger logger;

    public KubernetesClient(KubernetesClientConfiguration configuration, ILogger<KubernetesClient>? logger = null)
        : this(configuration, CreateHandler(configuration), logger)
    {
    }

    /// <summary>With a caller-supplied transport (tests); credentials are still added.</summary>
    public KubernetesClient(KubernetesClientConfiguration configuration, HttpMessageHandler transport, ILogger<KubernetesClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(transport);
        Configuration = configuration;
        this.logger = logger ?? NullLogger<KubernetesClient>.Instance;
        http = new HttpClient(new CredentialHandler(configuration, transport))
        {
            BaseAddress = configuration.Host,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("packyard", "1.0"));
    }

    public KubernetesClientConfiguration Configuration { get; }

    /// <summary>How long a non-watch request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Delay before a dropped watch reconnects.</summary>
    public TimeSpan WatchReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<T> GetAsync<T>(ResourceKind<T> kind, string? @namespace, string name, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(kind);
        return await SendAsync(HttpMethod.Get, kind.ObjectPath(@namespace, name), null, kind.TypeInfo, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> TryGetAsync<T>(ResourceKind<T> kind, string? @namespace, string name, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await GetAsync(kind, @namespace, name, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>One page; <paramref name="namespace"/> null lists across all namespaces.</summary>
    public async Task<KubernetesList<T>> ListAsync<T>(
        ResourceKind<T> kind, string? @namespace, ListOptions? options, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(kind);
        var path = kind.CollectionPath(@namespace) + Query(options, watch: false);
        return await SendAsync(HttpMethod.Get, path, null, kind.ListTypeInfo, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every item, page by page (<see cref="ListOptions.Limit"/> is the page size).</summary>
    public async IAsyncEnumerable<T> ListAllAsync<T>(
        ResourceKind<T> kind, string? @namespace, ListOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        options ??= new ListOptions();
        while (true)
        {
            var page = await ListAsync(kind, @namespace, options, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (string.IsNullOrEmpty(page.Metadata.Continue))
            {
                yield break;
            }

            options = options with { Continue = page.Metadata.Continue, ResourceVersion = null };
        }
    }

    public async Task<T> CreateAsync<T>(ResourceKind<T> kind, T item, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(item);
        var body = Json(JsonSerializer.SerializeToUtf8Bytes(item, kind.TypeInfo), "application/json");
        return await SendAsync(HttpMethod.Post, kind.CollectionPath(NamespaceOf(kind, item)), body, kind.TypeInfo, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>PUT; the object's resourceVersion must be current or a <see cref="KubernetesConflictException"/> is thrown.</summary>
    public Task<T> ReplaceAsync<T>(ResourceKind<T> kind, T item, CancellationToken cancellationToken)
        where T : class => PutAsync(kind, item, "", cancellationToken);

    public async Task DeleteAsync<T>(
        ResourceKind<T> kind, string? @namespace, string name, DeleteOptions? options, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(kind);
        var body = options is null ? null : Json(JsonSerializer.SerializeToUtf8Bytes(options, KubernetesJsonContext.Default.DeleteOptions), "application/json");
        using var response = await SendRawAsync(HttpMethod.Delete, kind.ObjectPath(@namespace, name), body, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>A merge patch or server-side apply of the object.</summary>
    public Task<T> PatchAsync<T>(
        ResourceKind<T> kind, string? @namespace, string name, KubernetesPatch patch, PatchOptions? options, CancellationToken cancellationToken)
        where T : class => PatchPathAsync(kind, kind.ObjectPath(@namespace, name), patch, options, cancellationToken);

    public async Task<T> GetStatusAsync<T>(ResourceKind<T> kind, string? @namespace, string name, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(kind);
        return await SendAsync(HttpMethod.Get, kind.ObjectPath(@namespace, name) + "/status", null, kind.TypeInfo, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>PUT on <c>/status</c>: only the status is written; the server ignores spec and metadata changes.</summary>
    public Task<T> ReplaceStatusAsync<T>(ResourceKind<T> kind, T item, CancellationToken cancellationToken)
        where T : class => PutAsync(kind, item, "/status", cancellationToken);

    /// <summary>A merge patch (or apply) on <c>/status</c>.</summary>
    public Task<T> PatchStatusAsync<T>(
        ResourceKind<T> kind, string? @namespace, string name, KubernetesPatch patch, PatchOptions? options, CancellationToken cancellationToken)
        where T : class => PatchPathAsync(kind, kind.ObjectPath(@namespace, name) + "/status", patch, options, cancellationToken);

    public void Dispose() => http.Dispose();

    private async Task<T> PutAsync<T>(ResourceKind<T> kind, T item, string suffix, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(item);
        var name = kind.Metadata(item).Name ?? throw new ArgumentException("The object has no metadata.name.", nameof(item));
        var body = Json(JsonSerializer.SerializeToUtf8Bytes(item, kind.TypeInfo), "application/json");
        return await SendAsync(HttpMethod.Put, kind.ObjectPath(NamespaceOf(kind, item), name) + suffix, body, kind.TypeInfo, cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task<T> PatchPathAsync<T>(
        ResourceKind<T> kind, string path, KubernetesPatch patch, PatchOptions? options, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(patch);
        if (patch.ContentType == KubernetesPatch.ApplyPatchContentType && string.IsNullOrEmpty(options?.FieldManager))
        {
            throw new ArgumentException("Server-side apply needs PatchOptions.FieldManager.", nameof(options));
        }

        var query = new List<string>();
        if (options?.FieldManager is { } manager)
        {
            query.Add("fieldManager=" + Uri.EscapeDataString(manager));
        }

        if (options?.Force is { } force)
        {
            query.Add("force=" + (force ? "true" : "false"));
        }

        if (options?.FieldValidation is { } validation)
        {
            query.Add("fieldValidation=" + Uri.EscapeDataString(validation));
        }

        var url = query.Count == 0 ? path : path + "?" + string.Join('&', query);
        var body = Json(Encoding.UTF8.GetBytes(patch.Body), patch.ContentType);
        return await SendAsync(HttpMethod.Patch, url, body, kind.TypeInfo, cancellationToken).ConfigureAwait(false);
    }

    private static string? NamespaceOf<T>(ResourceKind<T> kind, T item)
        where T : class => kind.Namespaced ? kind.Metadata(item).Namespace ?? "default" : null;

    private static ByteArrayContent Json(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static string Query(ListOptions? options, bool watch)
    {
        var query = new List<string>();
        if (watch)
        {
            query.Add("watch=1");
            query.Add("allowWatchBookmarks=true");
        }

        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("labelSelector", options?.LabelSelector);
        Add("fieldSelector", options?.FieldSelector);
        Add("limit", options?.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("continue", options?.Continue);
        Add("resourceVersion", options?.ResourceVersion);
        if (watch)
        {
            Add("timeoutSeconds", options?.TimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return query.Count == 0 ? "" : "?" + string.Join('&', query);
    }

    private async Task<T> SendAsync<T>(
        HttpMethod method, string path, HttpContent? body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var response = await SendRawAsync(method, path, body, timeout.Token).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync(stream, type, timeout.Token).ConfigureAwait(false)
                ?? throw new KubernetesApiException($"{method} {path} returned an empty body.");
        }
    }

    /// <summary>Sends a request and throws the typed exception for a non-success answer.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(
        HttpMethod method, string path, HttpContent? body, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        Log.Request(logger, method.Method, path, (int)response.StatusCode);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw CreateException(response.StatusCode, ParseStatus(text, response.StatusCode));
        }
    }

    private static Status ParseStatus(string text, HttpStatusCode code)
    {
        try
        {
            if (JsonSerializer.Deserialize(text, KubernetesJsonContext.Default.Status) is { Kind: "Status" } status)
            {
                return status;
            }
        }
        catch (JsonException)
        {
            // Not a Status (a proxy's HTML page, say): keep the text as the message below.
        }

        return new Status
        {
            Outcome = "Failure",
            Code = (int)code,
            Reason = code.ToString(),
            Message = text.Length > 500 ? text[..500] : text,
        };
    }

    internal static KubernetesApiException CreateException(HttpStatusCode code, Status status) => code switch
    {
        HttpStatusCode.Conflict => new KubernetesConflictException(status),
        HttpStatusCode.Gone => new ResourceExpiredException(status),
        _ => new KubernetesApiException(code, status),
    };

    private static SocketsHttpHandler CreateHandler(KubernetesClientConfiguration configuration)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        if (configuration.ClientCertificate is { } certificate)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

        if (configuration.SkipTlsVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (configuration.CaCertificates is { } authorities)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                ValidateWithCustomRoots(certificate, errors, authorities);
        }

        return handler;
    }

    private static bool ValidateWithCustomRoots(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
