using System.Collections.Concurrent;

namespace Packyard.Content.Container;

/// <summary>
/// When each tag of a pull-through distribution was last checked upstream, in this process (another replica, or a restart,
/// checks once more: a HEAD and at most a manifest, never blobs).
/// </summary>
internal sealed class TagChecks(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> checkedAt = new(StringComparer.Ordinal);

    public bool Due(string basePath, string tag, TimeSpan ttl) =>
        !checkedAt.TryGetValue(Key(basePath, tag), out var at) || time.GetUtcNow() - at >= ttl;

    public void Mark(string basePath, string tag) => checkedAt[Key(basePath, tag)] = time.GetUtcNow();

    private static string Key(string basePath, string tag) => $"{basePath}\n{tag}";
}
