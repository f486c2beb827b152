using System.Collections.Concurrent;

namespace Packyard.Engine.Storage;

/// <summary>The plain way to find missing objects: one <see cref="IArtifactStore.ExistsAsync"/> per object, a bounded number at a time.</summary>
internal static class ExistenceChecks
{
    /// <summary>Existence checks in flight at once.</summary>
    public const int Concurrency = 32;

    public static async Task<IReadOnlySet<string>> FindMissingAsync(IArtifactStore store, IReadOnlyCollection<string> sha256s, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sha256s);
        var missing = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(sha256s, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (sha256, token) =>
            {
                if (!await store.ExistsAsync(sha256, token).ConfigureAwait(false))
                {
                    missing.TryAdd(ContentAddress.Normalize(sha256, nameof(sha256s)), true);
                }
            }).ConfigureAwait(false);
        return missing.Keys.ToHashSet(StringComparer.Ordinal);
    }
}
