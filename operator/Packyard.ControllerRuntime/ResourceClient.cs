using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Packyard.ControllerRuntime;

/// <summary>
/// Typed access to any kind through the KubernetesClient library's transport: its configured <see cref="HttpClient"/>
/// (TLS, client certificates, proxy, tls-server-name) and its credentials (tokens, exec plugins, token refresh) are used for
/// every request; this type adds what the library lacks: get, list (paged), create, replace, delete, merge patch,
/// server-side apply, the status subresource and watch with resume and bookmarks (see <c>ResourceClient.Watch.cs</c>) for
/// custom kinds read with the caller's source-generated JSON, and errors as typed exceptions carrying the server's Status:
/// <see cref="KubernetesApiException"/>, 409 <see cref="KubernetesConflictException"/>, 410 <see cref="ResourceExpiredException"/>.
/// (The library's generic custom-object methods return untyped objects read with its own serializer, and its watch does
/// not resume.)
/// </summary>
public sealed partial class ResourceClient : IDisposable
{
    private readonly Kubernetes kubernetes;
    private readonly Uri baseUri;
    private readonly ILogger logger;
    private readonly bool ownsKubernetes;

    /// <summary>A client sending through <paramref name="kubernetes"/>; disposing it disposes that only when <paramref name="ownsKubernetes"/>.</summary>
    public ResourceClient(Kubernetes kubernetes, ILogger<ResourceClient>? logger = null, bool ownsKubernetes = false)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        this.kubernetes = kubernetes;
        this.ownsKubernetes = ownsKubernetes;
        var root = kubernetes.BaseUri.AbsoluteUri;
        baseUri = new Uri(root.EndsWith('/') ? root : root + "/");
        this.logger = logger ?? NullLogger<ResourceClient>.Instance;
    }

    /// <summary>The library client this one sends through (for the built-in APIs it has typed methods for).</summary>
    public Kubernetes Kubernetes => kubernetes;

    /// <summary>How long a non-watch request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// A watch connection silent (no event, no bookmark) this long is reopened. The API server sends a bookmark at least
    /// once a minute to a watch that asks for them, so two minutes of silence means the connection is gone.
    /// </summary>
    public TimeSpan WatchIdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often a request answered 429 Too Many Requests is sent again before the error is thrown.</summary>
    public int MaxTooManyRequestsRetries { get; init; } = 10;

    /// <summary>Delay before a dropped watch reconnects.</summary>
    public TimeSpan WatchReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A client of its own for <paramref name="configuration"/> (kubeconfig, in-cluster or built by hand).</summary>
    public static ResourceClient Create(KubernetesClientConfiguration configuration, ILogger<ResourceClient>? logger = null) =>
        new(new Kubernetes(configuration), logger, ownsKubernetes: true);

    public void Dispose()
    {
        if (ownsKubernetes)
        {
            kubernetes.Dispose();
        }
    }

    public async Task<T> GetAsync<T>(ResourceKind<T> kind, string? @namespace, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        return await SendAsync(HttpMethod.Get, kind.ObjectPath(@namespace, name), null, kind, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> TryGetAsync<T>(ResourceKind<T> kind, string? @namespace, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
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
    public async Task<ResourceList<T>> ListAsync<T>(
        ResourceKind<T> kind, string? @namespace, ListOptions? options, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        var path = kind.CollectionPath(@namespace) + Query(options, watch: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var response = await SendRawAsync(HttpMethod.Get, path, null, timeout.Token).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, default, timeout.Token).ConfigureAwait(false);
            var root = document.RootElement;
            var items = new List<T>();
            if (root.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in array.EnumerateArray())
                {
                    if (kind.Deserialize(element) is { } item)
                    {
                        items.Add(item);
                    }
                }
            }

            var metadata = root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object ? meta : default;
            return new ResourceList<T>
            {
                Items = items,
                ResourceVersion = StringProperty(metadata, "resourceVersion"),
                Continue = StringProperty(metadata, "continue"),
            };
        }
    }

    /// <summary>Every item, page by page (<see cref="ListOptions.Limit"/> is the page size).</summary>
    public async IAsyncEnumerable<T> ListAllAsync<T>(
        ResourceKind<T> kind, string? @namespace, ListOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        options ??= new ListOptions();
        while (true)
        {
            var page = await ListAsync(kind, @namespace, options, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (string.IsNullOrEmpty(page.Continue))
            {
                yield break;
            }

            options = options with { Continue = page.Continue, ResourceVersion = null };
        }
    }

    public async Task<T> CreateAsync<T>(ResourceKind<T> kind, T item, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(item);
        var body = Json(kind.Serialize(item), "application/json");
        return await SendAsync(HttpMethod.Post, kind.CollectionPath(NamespaceOf(kind, item)), body, kind, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PUT; the object's resourceVersion must be current or a <see cref="KubernetesConflictException"/> is thrown.</summary>
    public Task<T> ReplaceAsync<T>(ResourceKind<T> kind, T item, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> => PutAsync(kind, item, "", cancellationToken);

    public async Task DeleteAsync<T>(ResourceKind<T> kind, string? @namespace, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var response = await SendRawAsync(HttpMethod.Delete, kind.ObjectPath(@namespace, name), null, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>A merge patch or server-side apply of the object.</summary>
    public Task<T> PatchAsync<T>(
        ResourceKind<T> kind, string? @namespace, string name, KubernetesPatch patch, PatchOptions? options, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> => PatchPathAsync(kind, kind.ObjectPath(@namespace, name), patch, options, cancellationToken);

    public async Task<T> GetStatusAsync<T>(ResourceKind<T> kind, string? @namespace, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        return await SendAsync(HttpMethod.Get, kind.ObjectPath(@namespace, name) + "/status", null, kind, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PUT on <c>/status</c>: only the status is written; the server ignores spec and metadata changes.</summary>
    public Task<T> ReplaceStatusAsync<T>(ResourceKind<T> kind, T item, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> => PutAsync(kind, item, "/status", cancellationToken);

    /// <summary>A merge patch (or apply) on <c>/status</c>.</summary>
    public Task<T> PatchStatusAsync<T>(
        ResourceKind<T> kind, string? @namespace, string name, KubernetesPatch patch, PatchOptions? options, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> => PatchPathAsync(kind, kind.ObjectPath(@namespace, name) + "/status", patch, options, cancellationToken);

    private async Task<T> PutAsync<T>(ResourceKind<T> kind, T item, string suffix, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(item);
        var name = item.Metadata?.Name ?? throw new ArgumentException("The object has no metadata.name.", nameof(item));
        var body = Json(kind.Serialize(item), "application/json");
        return await SendAsync(HttpMethod.Put, kind.ObjectPath(NamespaceOf(kind, item), name) + suffix, body, kind, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> PatchPathAsync<T>(
        ResourceKind<T> kind, string path, KubernetesPatch patch, PatchOptions? options, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
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
        return await SendAsync(HttpMethod.Patch, url, body, kind, cancellationToken).ConfigureAwait(false);
    }

    private static string? NamespaceOf<T>(ResourceKind<T> kind, T item)
        where T : class, IKubernetesObject<V1ObjectMeta> => kind.Namespaced ? item.Metadata?.NamespaceProperty ?? "default" : null;

    private static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static RequestBody Json(byte[] bytes, string contentType) => new(bytes, contentType);

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

    private async Task<T> SendAsync<T>(HttpMethod method, string path, RequestBody? body, ResourceKind<T> kind, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var response = await SendRawAsync(method, path, body, timeout.Token).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, default, timeout.Token).ConfigureAwait(false);
            return kind.Deserialize(document.RootElement) ?? throw new KubernetesApiException($"{method} {path} returned an empty body.");
        }
    }

    /// <summary>
    /// Sends a request with the library's credentials and throws the typed exception for a non-success answer. A 429 (the
    /// API server's storage initialising, or its priority and fairness limits) is tried again after its Retry-After
    /// (at most 1 s), up to <see cref="MaxTooManyRequestsRetries"/> times, as client-go does.
    /// </summary>
    private async Task<HttpResponseMessage> SendRawAsync(
        HttpMethod method, string path, RequestBody? body, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, new Uri(baseUri, path));
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body.Bytes);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(body.ContentType);
            }

            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (kubernetes.Credentials is { } credentials)
            {
                await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
            }

            var response = await kubernetes.HttpClient.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
            Log.Request(logger, method.Method, path, (int)response.StatusCode);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < MaxTooManyRequestsRetries)
                {
                    var after = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    await Task.Delay(after > TimeSpan.FromSeconds(1) || after <= TimeSpan.Zero ? TimeSpan.FromSeconds(1) : after, cancellationToken)
                        .ConfigureAwait(false);
                    continue;
                }

                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw CreateException(response.StatusCode, ParseStatus(text, response.StatusCode));
            }
        }
    }

    private static V1Status ParseStatus(string text, HttpStatusCode code)
    {
        try
        {
            if (KubernetesJson.Deserialize<V1Status>(text) is { Kind: "Status" } status)
            {
                return status;
            }
        }
        catch (JsonException)
        {
            // Not a Status (a proxy's HTML page, say): keep the text as the message below.
        }

        return new V1Status
        {
            Status = "Failure",
            Code = (int)code,
            Reason = code.ToString(),
            Message = text.Length > 500 ? text[..500] : text,
        };
    }

    /// <summary>The typed exception for an error answer: 409 and 410 have their own.</summary>
    public static KubernetesApiException CreateException(HttpStatusCode code, V1Status status) => code switch
    {
        HttpStatusCode.Conflict => new KubernetesConflictException(status),
        HttpStatusCode.Gone => new ResourceExpiredException(status),
        _ => new KubernetesApiException(code, status),
    };

    private sealed record RequestBody(byte[] Bytes, string ContentType);
}
