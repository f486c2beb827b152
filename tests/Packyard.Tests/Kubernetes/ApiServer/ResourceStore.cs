using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// Objects by resource, one global resourceVersion counter, the event history watches replay from (bounded: a
/// resourceVersion older than the retained window is 410 Gone) and the open watches. Callers hold <see cref="Gate"/>
/// around a read-modify-write so every change gets the next resourceVersion and reaches watches in order.
/// </summary>
public sealed class ResourceStore
{
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> objects = new(StringComparer.Ordinal);
    private readonly LinkedList<StoredEvent> history = new();
    private readonly List<Watcher> watchers = [];

    public Lock Gate { get; } = new();

    /// <summary>The resourceVersion of the newest change.</summary>
    public long Revision { get; private set; } = 100;

    /// <summary>Changes up to and including this resourceVersion are no longer in the history.</summary>
    public long CompactedThrough { get; private set; } = 100;

    /// <summary>How many changes the history keeps.</summary>
    public int HistoryLimit { get; set; } = 100_000;

    public JsonObject? Get(ServedResource resource, string? @namespace, string name)
    {
        lock (Gate)
        {
            return Bucket(resource).TryGetValue(Key(@namespace, name), out var item) ? (JsonObject)item.DeepClone() : null;
        }
    }

    /// <summary>Every object of the resource (in one namespace or all), ordered by namespace and name, as clones.</summary>
    public List<JsonObject> List(ServedResource resource, string? @namespace)
    {
        lock (Gate)
        {
            return Bucket(resource)
                .Where(pair => @namespace is null || pair.Key.StartsWith(@namespace + "/", StringComparison.Ordinal))
                .Select(pair => (JsonObject)pair.Value.DeepClone())
                .ToList();
        }
    }

    public bool NamespaceExists(string @namespace)
    {
        lock (Gate)
        {
            return objects.TryGetValue("namespaces", out var namespaces) && namespaces.ContainsKey(Key(null, @namespace));
        }
    }

    /// <summary>Stores the object under the next resourceVersion (written into it) and tells the watches.</summary>
    public JsonObject Write(ServedResource resource, string? @namespace, string name, JsonObject item, string eventType)
    {
        lock (Gate)
        {
            Revision++;
            item["metadata"]!["resourceVersion"] = Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (eventType == "DELETED")
            {
                Bucket(resource).Remove(Key(@namespace, name));
            }
            else
            {
                Bucket(resource)[Key(@namespace, name)] = (JsonObject)item.DeepClone();
            }

            var stored = new StoredEvent(Revision, resource.GroupResource, @namespace, eventType, (JsonObject)item.DeepClone());
            history.AddLast(stored);
            while (history.Count > HistoryLimit)
            {
                CompactedThrough = history.First!.Value.Revision;
                history.RemoveFirst();
            }

            foreach (var watcher in watchers.Where(w => w.Matches(stored)))
            {
                watcher.Channel.Writer.TryWrite(stored);
            }

            return item;
        }
    }

    /// <summary>Forget the whole history: every watch or continue from an older resourceVersion now gets 410 Gone.</summary>
    public void Compact()
    {
        lock (Gate)
        {
            history.Clear();
            CompactedThrough = Revision;
        }
    }

    /// <summary>
    /// Opens a watch. From a resourceVersion: the retained changes after it (null when it is too old: 410).
    /// Without one: the current objects as ADDED events.
    /// </summary>
    public Watcher? Subscribe(ServedResource resource, string? @namespace, long? fromRevision, Func<JsonObject, bool> filter)
    {
        lock (Gate)
        {
            var watcher = new Watcher(resource.GroupResource, @namespace, filter);
            if (fromRevision is { } from)
            {
                if (from < CompactedThrough)
                {
                    return null;
                }

                foreach (var stored in history.Where(e => e.Revision > from && watcher.Matches(e)))
                {
                    watcher.Channel.Writer.TryWrite(stored);
                }
            }
            else
            {
                foreach (var item in List(resource, @namespace))
                {
                    var stored = new StoredEvent(
                        long.Parse(item["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
                        resource.GroupResource, @namespace, "ADDED", item);
                    if (watcher.Matches(stored))
                    {
                        watcher.Channel.Writer.TryWrite(stored);
                    }
                }
            }

            watchers.Add(watcher);
            return watcher;
        }
    }

    public void Unsubscribe(Watcher watcher)
    {
        lock (Gate)
        {
            watchers.Remove(watcher);
        }
    }

    /// <summary>Queues a bookmark at the current resourceVersion on every watch, behind the changes already queued.</summary>
    public void Bookmark()
    {
        lock (Gate)
        {
            foreach (var watcher in watchers)
            {
                watcher.Channel.Writer.TryWrite(new StoredEvent(Revision, watcher.ResourceKey, null, "BOOKMARK", []));
            }
        }
    }

    /// <summary>Ends every open watch abruptly, as a restarting API server or a broken connection would.</summary>
    public void DropWatches()
    {
        lock (Gate)
        {
            foreach (var watcher in watchers)
            {
                watcher.Drop.Cancel();
            }

            watchers.Clear();
        }
    }

    public int WatchCount
    {
        get
        {
            lock (Gate)
            {
                return watchers.Count;
            }
        }
    }

    private SortedDictionary<string, JsonObject> Bucket(ServedResource resource)
    {
        if (!objects.TryGetValue(resource.GroupResource, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            objects[resource.GroupResource] = bucket;
        }

        return bucket;
    }

    private static string Key(string? @namespace, string name) => $"{@namespace ?? ""}/{name}";

    /// <summary>One change as a watch delivers it.</summary>
    public sealed record StoredEvent(long Revision, string ResourceKey, string? Namespace, string Type, JsonObject Object);

    /// <summary>An open watch: its queue of changes, its filter and a token that drops it.</summary>
    public sealed class Watcher(string resourceKey, string? @namespace, Func<JsonObject, bool> filter)
    {
        public string ResourceKey { get; } = resourceKey;
        public Channel<StoredEvent> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<StoredEvent>();
        public CancellationTokenSource Drop { get; } = new();

        public bool Matches(StoredEvent stored) =>
            stored.ResourceKey == ResourceKey && (@namespace is null || stored.Namespace == @namespace) && filter(stored.Object);
    }
}
