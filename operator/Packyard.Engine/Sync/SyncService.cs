using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Database;
using NpgsqlTypes;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Storage;
using Packyard.Engine.Versions;

namespace Packyard.Engine.Sync;

/// <summary>
/// The sync pipeline shared by every content type (Pulp's DeclarativeVersion): the type's <see cref="ISyncSource"/>
/// declares units; the engine stages them in temp tables with binary COPY, saves new units, records where their
/// artifacts can be downloaded, downloads missing artifacts (Immediate) with digest checks, and finally creates
/// the version in one transaction. Nothing but the final step is visible to readers; downloaded artifacts are kept
/// so an interrupted sync resumes without downloading them again. A source that recognises its upstream as unchanged since
/// the last successful sync (<see cref="SyncContext.UpstreamUnchanged"/>) ends the sync before anything is staged.
/// </summary>
public sealed class SyncService(
    NpgsqlDataSource dataSource,
    IArtifactStore store,
    UpstreamClientFactory clients,
    ContentTypeRegistry contentTypes,
    SyncLimits limits,
    ILogger<SyncService> logger)
{
    private const int BatchSize = 5000;

    /// <summary>How often a sync's download progress is reported while it downloads.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);


    public async Task<SyncOutcome> SyncAsync(SyncRequest request, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        var plugin = contentTypes.Get(request.Remote.Type);
        var client = clients.Get(request.Remote);
        EngineLog.SyncStarted(logger, request.RepositoryName, request.Remote.DisplayName, request.Remote.Policy.ToString(), request.Mode.ToString());

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ContentStaging.CreateTablesAsync(connection, cancellationToken);
        try
        {
            // A pull-through of some names sees only part of the upstream: it neither uses nor records the upstream state.
            var settings = UpstreamStates.Settings(request);
            var context = new SyncContext(request.Remote, client, limits)
            {
                Names = request.Names,
                PreviousUpstreamState = request.Names is null ? await UpstreamStates.LoadAsync(connection, request, settings, cancellationToken) : null,
                StoreArtifact = StoreArtifactAsync,
            };
            var declared = await StageAsync(connection, request.Remote, plugin.SyncSource.ReadUpstreamAsync(context, cancellationToken), progress, cancellationToken);
            if (context.UpstreamUnchanged)
            {
                var (latest, contentCount) = await UpstreamStates.LatestAsync(connection, request.RepositoryId, cancellationToken);
                EngineLog.SyncUpstreamUnchanged(logger, request.RepositoryName, latest);
                var restored = request.Remote.Policy == DownloadPolicy.Immediate
                    ? await RepairAsync(connection, client, request, staged: false, declared, progress, cancellationToken)
                    : 0;
                EngineLog.SyncFinished(logger, request.RepositoryName, declared, restored, latest);
                return new SyncOutcome(latest, false, 0, 0, contentCount, declared, restored) { Repaired = restored };
            }

            await ContentStaging.CheckConflictsAsync(connection, cancellationToken);
            await ContentStaging.SaveAsync(connection, plugin.Name, request.RemoteId, cancellationToken);

            long downloaded = 0, repaired = 0;
            if (request.Remote.Policy == DownloadPolicy.Immediate)
            {
                repaired = await RepairAsync(connection, client, request, staged: true, declared, progress, cancellationToken);
                downloaded = await DownloadMissingAsync(connection, client, declared, progress, cancellationToken) + repaired;
            }

            progress?.Report(new SyncProgress("Creating version", declared, downloaded, downloaded, 0));
            var mode = request.Mode == SyncMode.Mirror ? VersionMode.Replace : VersionMode.Merge;
            var outcome = await VersionWriter.CreateAsync(connection, request.RepositoryId, ContentStaging.CandidateTable, mode, "sync", cancellationToken);
            if (outcome.Created)
            {
                EngineLog.VersionCreated(logger, request.RepositoryName, outcome.Version, outcome.Added, outcome.Removed);
            }

            if (request.Names is null)
            {
                await UpstreamStates.SaveAsync(connection, request, settings, context.UpstreamState, outcome.Version, cancellationToken);
            }

            EngineLog.SyncFinished(logger, request.RepositoryName, declared, downloaded, outcome.Version);
            return new SyncOutcome(outcome.Version, outcome.Created, outcome.Added, outcome.Removed, outcome.ContentCount, declared, downloaded)
            {
                Repaired = repaired,
            };
        }
        finally
        {
            await ContentStaging.DropTablesAsync(connection);
        }
    }

    private async Task<long> StageAsync(NpgsqlConnection connection, RemoteSettings remote, IAsyncEnumerable<DeclaredContent> declared,
        IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        var batch = new List<DeclaredContent>(BatchSize);
        long count = 0;
        await foreach (var unit in declared.WithCancellation(cancellationToken))
        {
            ContentStaging.Validate(unit, remote);
            batch.Add(unit);
            if (++count > limits.MaxUnits)
            {
                throw new InvalidUpstreamMetadataException($"upstream declares more than {limits.MaxUnits} content units (limit SyncLimits.MaxUnits)");
            }

            if (batch.Count == BatchSize)
            {
                await ContentStaging.CopyBatchAsync(connection, batch, cancellationToken);
                batch.Clear();
                progress?.Report(new SyncProgress("Reading metadata", count, 0, 0, 0));
            }
        }

        await ContentStaging.CopyBatchAsync(connection, batch, cancellationToken);
        progress?.Report(new SyncProgress("Reading metadata", count, 0, 0, 0));
        return count;
    }

    private async Task<long> DownloadMissingAsync(NpgsqlConnection connection, UpstreamClient client, long declared,
        IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        var missing = await connection.ScalarAsync<long>("""
            select count(distinct sa.sha256) from sync_artifacts sa
            where sa.url is not null and not exists (select 1 from artifacts a where a.sha256 = sa.sha256)
            """, cancellationToken);
        if (missing == 0)
        {
            return 0;
        }

        return await DownloadAllAsync(client, token => ReadPendingAsync(connection, """
            select sa.sha256, max(sa.size), min(sa.url), min(sa.relative_path) from sync_artifacts sa
            where sa.url is not null and not exists (select 1 from artifacts a where a.sha256 = sa.sha256)
            group by sa.sha256
            """, [], token), missing, declared, progress, cancellationToken);
    }

    /// <summary>
    /// Checks that the artifacts this sync relies on and the database records as stored are still in the artifact store
    /// (<see cref="IArtifactStore.FindMissingAsync"/>: bounded existence checks, or a listing), and downloads the missing ones again: a store
    /// restored empty or objects removed by hand are repaired by the next sync. <paramref name="staged"/>: what the upstream
    /// declared in this sync; otherwise (upstream unchanged) the latest version's artifacts this remote can download.
    /// </summary>
    /// <returns>How many artifacts were downloaded again.</returns>
    private async Task<long> RepairAsync(NpgsqlConnection connection, UpstreamClient client, SyncRequest request, bool staged, long declared,
        IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new SyncProgress("Checking the artifact store", declared, 0, 0, 0));
        var query = staged
            ? """
              select sa.sha256, max(sa.size), min(sa.url), min(sa.relative_path) from sync_artifacts sa
              where sa.url is not null and exists (select 1 from artifacts a where a.sha256 = sa.sha256)
              group by sa.sha256
              """
            : """
              select ca.sha256, max(ca.size), min(ra.url), min(ca.relative_path)
              from repository_content rc
              join content_artifacts ca on ca.content_id = rc.content_id
              join remote_artifacts ra on ra.content_artifact_id = ca.id and ra.remote_id = $2
              where rc.repository_id = $1 and rc.version_removed is null
                and exists (select 1 from artifacts a where a.sha256 = ca.sha256)
              group by ca.sha256
              """;
        object[] parameters = staged ? [] : [request.RepositoryId, request.RemoteId];
        var stored = new Dictionary<string, PendingDownload>(StringComparer.Ordinal);
        await foreach (var item in ReadPendingAsync(connection, query, parameters, cancellationToken))
        {
            stored[item.Sha256] = item;
        }

        if (stored.Count == 0)
        {
            return 0;
        }

        var lost = await store.FindMissingAsync(stored.Keys, cancellationToken);
        if (lost.Count == 0)
        {
            return 0;
        }

        var missing = lost.Select(sha256 => stored[sha256]).ToList();
        var repaired = await DownloadAllAsync(client, _ => Enumerate(missing), missing.Count, declared, progress, cancellationToken);
        EngineLog.ArtifactsRepaired(logger, request.RepositoryName, missing.Count, stored.Count, repaired);
        return repaired;

        static async IAsyncEnumerable<PendingDownload> Enumerate(IEnumerable<PendingDownload> items)
        {
            foreach (var item in items)
            {
                yield return item;
            }

            await Task.CompletedTask;
        }
    }

    private static async IAsyncEnumerable<PendingDownload> ReadPendingAsync(NpgsqlConnection connection, string query, object[] parameters,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(query, connection);
        command.AddParameters(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new PendingDownload(
                reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), new Uri(reader.GetString(2)), reader.GetString(3));
        }
    }

    /// <summary>Downloads, verifies, stores and records <paramref name="total"/> artifacts with the remote's concurrency; the first failure stops the rest.</summary>
    private async Task<long> DownloadAllAsync(UpstreamClient client, Func<CancellationToken, IAsyncEnumerable<PendingDownload>> items, long total,
        long declared, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        var missing = total;
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queue = Channel.CreateBounded<PendingDownload>(new BoundedChannelOptions(1000) { SingleWriter = true });
        await using var recorder = new ArtifactRecorder(dataSource);
        long done = 0, streamed = 0;
        Exception? firstError = null;
        // Progress by time, not by count: a few large artifacts report their bytes as they stream.
        using var stopReporting = CancellationTokenSource.CreateLinkedTokenSource(failure.Token);
        var reporting = progress is null ? Task.CompletedTask : Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(ProgressInterval);
            try
            {
                do
                {
                    progress.Report(new SyncProgress("Downloading", declared, missing, Interlocked.Read(ref done), Interlocked.Read(ref streamed)));
                }
                while (await timer.WaitForNextTickAsync(stopReporting.Token));
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);

        var workers = Enumerable.Range(0, client.MaxConcurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var item in queue.Reader.ReadAllAsync(failure.Token))
            {
                try
                {
                    var stored = await DownloadAsync(client, item, read => Interlocked.Add(ref streamed, read), failure.Token);
                    recorder.Add(stored);
                    Interlocked.Increment(ref done);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.CompareExchange(ref firstError, e, null);
                    await failure.CancelAsync();
                }
            }
        }, failure.Token)).ToArray();

        try
        {
            await foreach (var item in items(failure.Token).WithCancellation(failure.Token))
            {
                await queue.Writer.WriteAsync(item, failure.Token);
            }

            queue.Writer.Complete();
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (firstError is not null)
        {
            // A worker failed and cancelled the rest; its error is reported below.
        }

        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (firstError is not null || cancellationToken.IsCancellationRequested)
        {
        }

        await stopReporting.CancelAsync();
        await reporting;
        if (firstError is null && !cancellationToken.IsCancellationRequested)
        {
            progress?.Report(new SyncProgress("Downloading", declared, missing, done, Interlocked.Read(ref streamed)));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (firstError is not null)
        {
            // Keep the failure's own type: a dead artifact store must not be reported as an upstream problem.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(
                firstError is PackyardException or ArtifactStoreException or NpgsqlException ? firstError : new UpstreamUnavailableException(firstError.Message, firstError)).Throw();
        }

        return done;
    }

    private async Task<StoredArtifact> DownloadAsync(UpstreamClient client, PendingDownload item, Action<int> streamed, CancellationToken cancellationToken)
    {
        // A blob exists only after its digest was verified (atomic rename), so one that is already stored but not yet
        // recorded (a sync killed before the recorder's last flush) is recorded without downloading it again.
        if (item.Size is { } size && await store.ExistsAsync(item.Sha256, cancellationToken))
        {
            return new StoredArtifact(item.Sha256.ToLowerInvariant(), size);
        }

        await using var response = await client.OpenAsync(item.Url, cancellationToken);
        try
        {
            await using var body = new ReadCountingStream(response.Body, streamed);
            return await store.PutAsync(body, new ExpectedDigest(item.Sha256, item.Size, item.RelativePath), cancellationToken);
        }
        catch (DigestMismatchException e)
        {
            throw new ArtifactDigestException($"digest mismatch for '{item.RelativePath}' ({UrlSanitizer.Sanitize(item.Url.ToString())}): {e.Message}", e);
        }
    }

    /// <summary>
    /// Stores metadata bytes a sync source read and declares as an artifact (<see cref="SyncContext.StoreArtifact"/>) and records
    /// them at once, so the artifact counts as downloaded whatever the policy.
    /// </summary>
    private async Task<string> StoreArtifactAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content.Span));
        if (!await store.ExistsAsync(sha256, cancellationToken))
        {
            using var stream = new MemoryStream(content.ToArray(), writable: false);
            await store.PutAsync(stream, new ExpectedDigest(sha256, content.Length, sha256), cancellationToken);
        }

        await using var command = dataSource.CreateCommand("insert into artifacts (sha256, size) values ($1, $2) on conflict do nothing");
        command.AddParameters(sha256, (long)content.Length);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return sha256;
    }

    private sealed record PendingDownload(string Sha256, long? Size, Uri Url, string RelativePath);
}
