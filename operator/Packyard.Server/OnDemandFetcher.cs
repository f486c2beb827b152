using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Database;
using Packyard.Engine.Catalog;
using Packyard.Engine.Downloads;
using Packyard.Engine.Storage;

namespace Packyard.Server;

/// <summary>
/// Fetches artifacts that a publication lists but the store does not hold yet (OnDemand and Streamed remotes).
/// Concurrent first requests for one artifact share a single download (one upstream request per sha256 at a time, whatever
/// the number of clients): the first request's client receives the bytes as they are stored (<see cref="TryStreamAndStoreAsync"/>),
/// the others wait for the stored object.
/// </summary>
public sealed partial class OnDemandFetcher(NpgsqlDataSource dataSource, EngineCatalog catalog, IArtifactStore store, UpstreamClientFactory clients, ILogger<OnDemandFetcher> logger)
{
    /// <summary>Longest a single download may take, whoever waits for it.</summary>
    private static readonly TimeSpan DownloadTimeout = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Task<StoredArtifact>> inFlight = new(StringComparer.Ordinal);

    /// <summary>Where an artifact of a publication can be downloaded from, or null when no remote knows it.</summary>
    public Task<ArtifactSource?> FindSourceAsync(long contentArtifactId, CancellationToken cancellationToken) =>
        catalog.FindArtifactSourceAsync(contentArtifactId, cancellationToken);

    /// <summary>Downloads, verifies and stores the artifact once, however many requests ask for it at the same time.</summary>
    public async Task<StoredArtifact> FetchAsync(ServedFile file, string path, ArtifactSource source, CancellationToken cancellationToken)
    {
        var key = file.Sha256.ToLowerInvariant();
        var mine = new TaskCompletionSource<StoredArtifact>(TaskCreationOptions.RunContinuationsAsynchronously);
        var current = inFlight.GetOrAdd(key, mine.Task);
        if (current == mine.Task)
        {
            _ = LeadAsync(key, mine, token => DownloadAsync(file, path, source, client: null, token));
        }

        return await current.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Downloads the artifact into the store while sending the bytes to <paramref name="http"/>'s client as they arrive, when no
    /// other request is downloading it already; false (nothing written) when another one is, or the store has it: the caller
    /// then serves it with <see cref="FetchAsync"/>. The last chunk is held back until the digest is checked, so a client never sees
    /// a complete response of content that did not match (the response is aborted instead, and nothing is stored). The download
    /// goes on for others if this client goes away.
    /// </summary>
    public async Task<bool> TryStreamAndStoreAsync(HttpContext http, ServedFile file, string path, string mediaType, ArtifactSource source,
        CancellationToken cancellationToken)
    {
        var key = file.Sha256.ToLowerInvariant();
        var mine = new TaskCompletionSource<StoredArtifact>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (inFlight.GetOrAdd(key, mine.Task) != mine.Task)
        {
            return false;
        }

        var client = new ClientTee(http, file, mediaType);
        var lead = LeadAsync(key, mine, token => DownloadAsync(file, path, source, client, token));
        try
        {
            await lead.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (client.Started)
        {
            LogStreamFailed(logger, path, UrlSanitizer.Sanitize(e.Message));
            // The headers are out: the client can only be told by an aborted transfer (its Content-Length is never reached).
            http.Abort();
            return true;
        }

        if (!client.Used)
        {
            return false; // found in the store: nothing was fetched
        }

        await client.CompleteAsync(cancellationToken);
        return true;
    }

    private async Task<StoredArtifact> LeadAsync(string key, TaskCompletionSource<StoredArtifact> completion, Func<CancellationToken, Task<StoredArtifact>> download)
    {
        try
        {
            // Not cancelled by the first requester going away: other requesters may be waiting on the same download.
            using var timeout = new CancellationTokenSource(DownloadTimeout);
            var stored = await download(timeout.Token);
            completion.TrySetResult(stored);
            return stored;
        }
        catch (Exception e)
        {
            completion.TrySetException(e);
            throw;
        }
        finally
        {
            inFlight.TryRemove(new KeyValuePair<string, Task<StoredArtifact>>(key, completion.Task));
        }
    }

    /// <summary>Opens the upstream body for a Streamed remote: served as it arrives, never stored.</summary>
    public Task<UpstreamResponse> OpenStreamAsync(ArtifactSource source, CancellationToken cancellationToken) =>
        clients.Get(source.Remote).OpenAsync(source.Url, cancellationToken);

    private async Task<StoredArtifact> DownloadAsync(ServedFile file, string path, ArtifactSource source, ClientTee? client, CancellationToken cancellationToken)
    {
        // A request that looked the file up before an earlier download finished arrives after that download left
        // inFlight: the object is in the store by then, and downloading it again would only repeat the work.
        if (file.Size is { } size && await store.ExistsAsync(file.Sha256, cancellationToken))
        {
            return await RecordAsync(new StoredArtifact(file.Sha256.ToLowerInvariant(), size), cancellationToken);
        }

        LogFetch(logger, path, source.Remote.DisplayName);
        await using var response = await clients.Get(source.Remote).OpenAsync(source.Url, cancellationToken);
        StoredArtifact stored;
        try
        {
            stored = await store.PutAsync(client is null ? response.Body : client.Wrap(response.Body, response.Length),
                new ExpectedDigest(file.Sha256, file.Size, path), cancellationToken);
        }
        catch (DigestMismatchException e)
        {
            throw new ArtifactDigestException($"digest mismatch for '{path}' ({UrlSanitizer.Sanitize(source.Url.ToString())}) from remote {source.Remote.DisplayName}: {e.Message}", e);
        }

        return await RecordAsync(stored, cancellationToken);
    }

    private async Task<StoredArtifact> RecordAsync(StoredArtifact stored, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("insert into artifacts (sha256, size) values ($1, $2) on conflict do nothing");
        command.AddParameters(stored.Sha256, stored.Size);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return stored;
    }

    [LoggerMessage(EventId = Engine.PackyardEventIds.OnDemandFetch, Level = LogLevel.Information, Message = "Fetching {Path} on demand from remote {Remote}")]
    private static partial void LogFetch(ILogger logger, string path, string remote);

    [LoggerMessage(EventId = Engine.PackyardEventIds.ServeFailed, Level = LogLevel.Warning,
        Message = "Fetching {Path} from its remote failed after the client got part of it; the transfer was aborted and nothing was stored: {Reason}")]
    private static partial void LogStreamFailed(ILogger logger, string path, string reason);
}
