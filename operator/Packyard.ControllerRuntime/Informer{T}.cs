using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using k8s;
using k8s.Models;

namespace Packyard.ControllerRuntime;

/// <summary>
/// A cache of one kind fed by list + watch. It lists (paged), replaces the cache and reports what changed, then watches
/// from the list's resourceVersion (the client resumes dropped connections); a 410 Gone lists again, and any other failure
/// lists again after <see cref="RetryDelay"/>. Every change calls the handlers with the object's key (<c>namespace/name</c>).
/// <see cref="Transform"/> trims each object before it is cached (as controller-runtime's cache transforms do).
/// Our own rather than the library's: KubernetesClient has no informer or cache (only a watch that does not resume and does
/// not list again on 410).
/// </summary>
public sealed class Informer<T>(ResourceClient client, ResourceKind<T> kind, string? @namespace, ILogger? logger = null) : IInformer
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<string, T> cache = new(StringComparer.Ordinal);
    private readonly List<Action<string>> handlers = [];
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger logger = logger ?? NullLogger.Instance;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Page size of the list.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>
    /// Applied to every listed or watched object before it is cached, e.g. to drop what the reconcilers never read;
    /// it may change the object it is given and return it.
    /// </summary>
    public Func<T, T>? Transform { get; init; }

    public bool HasSynced => synced.Task.IsCompleted;

    /// <summary>Calls <paramref name="handler"/> with the key of every added, changed or deleted object. Register before running.</summary>
    public void OnChange(Action<string> handler) => handlers.Add(handler);

    public bool TryGet(string? objectNamespace, string name, out T? item) => cache.TryGetValue(Key(objectNamespace, name), out item);

    public IReadOnlyCollection<T> Items => cache.Values.ToList();

    IEnumerable<IKubernetesObject<V1ObjectMeta>> IInformer.Objects => Items;

    public V1ObjectMeta? MetadataOf(string? objectNamespace, string name) => TryGet(objectNamespace, name, out var item) ? item?.Metadata : null;

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => synced.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Caches what this process just wrote (the API server's answer) before its watch event arrives, unless the cache has moved on
    /// from <paramref name="read"/> meanwhile. A reconcile that runs right after a write must not act on the state before it: on a
    /// real API server the watch event can come seconds later under load, and a request already answered on status looked new
    /// again and was synced twice. The watch event that follows replaces it with the same state and calls the handlers.
    /// </summary>
    public void Written(T read, T written) => cache.TryUpdate(kind.KeyOf(written), Transform is null ? written : Transform(written), read);

    public static string Key(string? objectNamespace, string name) => ResourceKind<T>.ObjectKey(objectNamespace, name);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var resourceVersion = await ListAsync(cancellationToken).ConfigureAwait(false);
                await foreach (var change in client.WatchAsync(kind, @namespace, new ListOptions { ResourceVersion = resourceVersion }, cancellationToken)
                    .ConfigureAwait(false))
                {
                    Apply(change);
                }
            }
            catch (ResourceExpiredException)
            {
                RuntimeLog.Relist(logger, kind.ToString());
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is KubernetesApiException or HttpRequestException or System.Text.Json.JsonException)
            {
                RuntimeLog.InformerFailed(logger, kind.ToString(), exception);
                try
                {
                    await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, T>(StringComparer.Ordinal);
        string? resourceVersion = null;
        var options = new ListOptions { Limit = PageSize };
        while (true)
        {
            var page = await client.ListAsync(kind, @namespace, options, cancellationToken).ConfigureAwait(false);
            resourceVersion ??= page.ResourceVersion;
            foreach (var item in page.Items)
            {
                seen[kind.KeyOf(item)] = Transform is null ? item : Transform(item);
            }

            if (string.IsNullOrEmpty(page.Continue))
            {
                break;
            }

            options = options with { Continue = page.Continue };
        }

        var changed = new List<string>();
        foreach (var key in cache.Keys.Where(key => !seen.ContainsKey(key)).ToList())
        {
            cache.TryRemove(key, out _);
            changed.Add(key);
        }

        foreach (var (key, item) in seen)
        {
            if (!cache.TryGetValue(key, out var old) || old.Metadata?.ResourceVersion != item.Metadata?.ResourceVersion)
            {
                changed.Add(key);
            }

            cache[key] = item;
        }

        RuntimeLog.Synced(logger, kind.ToString(), seen.Count, resourceVersion ?? "");
        synced.TrySetResult();
        Notify(changed);
        return resourceVersion ?? "";
    }

    private void Apply(WatchEvent<T> change)
    {
        if (change.Object is not { } item || change.Type is WatchEventType.Bookmark)
        {
            return;
        }

        item = Transform is null ? item : Transform(item);
        var key = kind.KeyOf(item);
        if (change.Type == WatchEventType.Deleted)
        {
            cache.TryRemove(key, out _);
        }
        else
        {
            cache[key] = item;
        }

        Notify([key]);
    }

    private void Notify(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            foreach (var handler in handlers)
            {
                handler(key);
            }
        }
    }
}
