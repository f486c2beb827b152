using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Database;
using Packyard.Engine.Catalog;
using Packyard.Engine.Downloads;
using Packyard.Engine.Storage;

namespace Packyard.Server;

/// <summary>
/// Fetches artifacts that a publication lists but the store does not hold yet (OnDemand and Streamed remotes).
/// Concurrent first requests for one artifact share a single download.
/// </summary>
public sealed partial class OnDemandFetcher(NpgsqlDataSource dataSource, EngineCatalog catalog, IArtifactStore store, UpstreamClientFactory clients, ILogger<OnDemandFetcher> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<StoredArtifact>>> inFlight = new(StringComparer.Ordinal);

    /// <summary>Where an artifact of a publication can be downloaded from, or null when no remote knows it.</summary>
    public Task<ArtifactSource?> FindSourceAsync(long contentArtifactId, CancellationToken cancellationToken) =>
        catalog.FindArtifactSourceAsync(contentArtifactId, cancellationToken);

    /// <summary>Downloads, verifies and stores the artifact once, however many requests ask for it at the same time.</summary>
    public async Task<StoredArtifact> FetchAsync(ServedFile file, string path, ArtifactSource source, CancellationToken cancellationToken)
    {
        var lazy = inFlight.GetOrAdd(file.Sha256, _ => new Lazy<Task<StoredArtifact>>(() => DownloadAsync(file, path, source)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (lazy.Value.IsCompleted)
            {
                inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<StoredArtifact>>>(file.Sha256, lazy));
            }
        }
    }

    /// <summary>Opens the upstream body for a Streamed remote: served as it arrives, never stored.</summary>
    public Task<UpstreamResponse> OpenStreamAsync(ArtifactSource source, CancellationToken cancellationToken) =>
        clients.Get(source.Remote).OpenAsync(source.Url, cancellationToken);

    // Not cancelled by the first requester going away: other requesters may be waiting on the same download.
    private async Task<StoredArtifact> DownloadAsync(ServedFile file, string path, ArtifactSource source)
    {
        LogFetch(logger, path, source.Remote.DisplayName);
        using var timeout = new CancellationTokenSource(TimeSpan.FromHours(1));
        await using var response = await clients.Get(source.Remote).OpenAsync(source.Url, timeout.Token);
        StoredArtifact stored;
        try
        {
            stored = await store.PutAsync(response.Body, new ExpectedDigest(file.Sha256, file.Size, path), timeout.Token);
        }
        catch (DigestMismatchException e)
        {
            throw new ArtifactDigestException($"digest mismatch for '{path}' from remote {source.Remote.DisplayName}: {e.Message}", e);
        }

        await using var command = dataSource.CreateCommand("insert into artifacts (sha256, size) values ($1, $2) on conflict do nothing");
        command.AddParameters(stored.Sha256, stored.Size);
        await command.ExecuteNonQueryAsync(timeout.Token);
        return stored;
    }

    [LoggerMessage(EventId = Engine.PackyardEventIds.OnDemandFetch, Level = LogLevel.Information, Message = "Fetching {Path} on demand from remote {Remote}")]
    private static partial void LogFetch(ILogger logger, string path, string remote);
}

