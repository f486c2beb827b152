using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Packyard.ControllerRuntime;

public sealed partial class ResourceClient
{
    /// <summary>
    /// Watches a kind from <see cref="ListOptions.ResourceVersion"/> (absent: the current state as ADDED events, then changes),
    /// with bookmarks. A dropped connection, a server-side timeout or a 5xx reconnects from the last resourceVersion seen
    /// (bookmarks included), so no event is lost or repeated. A resourceVersion the server no longer keeps throws
    /// <see cref="ResourceExpiredException"/> (HTTP 410 or an ERROR event with code 410): list again and watch from the list's
    /// resourceVersion. Other errors throw <see cref="KubernetesApiException"/>. Ends only by cancellation.
    /// A connection that brings nothing (no event, no bookmark) for <see cref="WatchIdleTimeout"/> is taken for dead and
    /// reopened, so a connection that broke without a reset (a restarted or partitioned API server) cannot stall the watch;
    /// 429 (the API server's storage still initialising after a restart) is retried like a 5xx.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(
        ResourceKind<T> kind, string? @namespace, ListOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        options ??= new ListOptions();
        var resourceVersion = options.ResourceVersion;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = kind.CollectionPath(@namespace) + Query(options with { ResourceVersion = resourceVersion, Limit = null, Continue = null }, watch: true);
            var response = await OpenWatchAsync(path, cancellationToken).ConfigureAwait(false);
            if (response is not null)
            {
                using (response)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    idle.CancelAfter(WatchIdleTimeout);
                    var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    using var reader = new StreamReader(stream);
                    while (await ReadLineAsync(reader, idle.Token, cancellationToken).ConfigureAwait(false) is { } line)
                    {
                        idle.CancelAfter(WatchIdleTimeout);
                        if (line.Length == 0)
                        {
                            continue;
                        }

                        var watchEvent = ParseEvent(line, kind);
                        if (watchEvent.Object?.Metadata?.ResourceVersion is { Length: > 0 } version)
                        {
                            resourceVersion = version;
                        }

                        yield return watchEvent;
                    }
                }

                Log.WatchClosed(logger, kind.ToString(), resourceVersion ?? "");
            }

            await Task.Delay(WatchReconnectDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One watch line; an ERROR event (whose object is a Status, not the kind) throws the matching exception.</summary>
    private static WatchEvent<T> ParseEvent<T>(string line, ResourceKind<T> kind)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var typeName = root.TryGetProperty("type", out var typeElement) ? typeElement.GetString() ?? "" : "";
        if (!Enum.TryParse<WatchEventType>(typeName, ignoreCase: true, out var type))
        {
            throw new KubernetesApiException($"Watch of {kind} sent an event of unknown type '{typeName}'.");
        }

        if (!root.TryGetProperty("object", out var objectElement))
        {
            throw new KubernetesApiException($"Watch of {kind} sent an event without an object.");
        }

        if (type == WatchEventType.Error)
        {
            var status = KubernetesJson.Deserialize<V1Status>(objectElement) ?? new V1Status();
            throw CreateException((HttpStatusCode)(status.Code ?? 500), status);
        }

        return new WatchEvent<T> { Type = type, Object = kind.Deserialize(objectElement) };
    }

    /// <summary>The open watch response, or null after a transport error or 5xx (the caller retries).</summary>
    private async Task<HttpResponseMessage?> OpenWatchAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await SendRawAsync(HttpMethod.Get, path, null, cancellationToken, HttpCompletionOption.ResponseHeadersRead)
                .ConfigureAwait(false);
        }
        catch (HttpRequestException exception) when (!cancellationToken.IsCancellationRequested)
        {
            Log.WatchFailed(logger, path, exception.Message);
            return null;
        }
        catch (KubernetesApiException exception) when ((int)exception.StatusCode >= 500 || exception.StatusCode == HttpStatusCode.TooManyRequests)
        {
            Log.WatchFailed(logger, path, exception.Message);
            return null;
        }
    }

    /// <summary>The next line, or null when the stream ended, broke or stayed idle too long (<paramref name="idle"/> fired).</summary>
    private static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken idle, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(idle).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
