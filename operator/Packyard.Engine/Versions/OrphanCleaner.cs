using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Storage;

namespace Packyard.Engine.Versions;

/// <summary>What an orphan cleanup removed.</summary>
public sealed record OrphanCleanupResult(long ContentUnits, long Artifacts, long Bytes);

/// <summary>
/// Reclaims what nothing references any more (Pulp's orphan cleanup): repositories past their deletion grace period, then
/// content units in no repository version, then
/// artifacts referenced by no content unit and no publication, first their rows and then their blobs (a crash in
/// between leaks a blob, never leaves a row without one). Only objects older than the protection time are touched,
/// so a sync that has saved units but not yet created its version keeps them. Run it while no sync is running:
/// a sync that re-references an artifact at the moment its blob is deleted would have to download it again.
/// </summary>
public sealed partial class OrphanCleaner(NpgsqlDataSource dataSource, IArtifactStore store, StoreSweeper sweeper, ILogger<OrphanCleaner> logger,
    OrphanCleanupOptions? options = null)
{
    private const int BatchSize = 1000;

    public async Task<OrphanCleanupResult> CleanAsync(TimeSpan protection, CancellationToken cancellationToken)
    {
        var cutoff = DateTimeOffset.UtcNow - protection;
        await DeleteExpiredRepositoriesAsync(cancellationToken);
        await DeleteAbandonedPushesAsync(cancellationToken);
        long units;
        await using (var command = dataSource.CreateCommand("""
            with gone as (
                delete from content_units cu where cu.created <= $1
                  and not exists (select 1 from repository_content rc where rc.content_id = cu.id)
                  and not exists (select 1 from pending_content pc where pc.content_id = cu.id)
                returning 1)
            select count(*) from gone
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = cutoff });
            units = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        long artifacts = 0, bytes = 0;
        while (true)
        {
            var batch = new List<(string Sha256, long Size)>();
            await using (var command = dataSource.CreateCommand("""
                delete from artifacts a where a.sha256 in (
                    select a2.sha256 from artifacts a2 where a2.created <= $1
                      and not exists (select 1 from content_artifacts ca where ca.sha256 = a2.sha256)
                      and not exists (select 1 from published_files pf where pf.sha256 = a2.sha256)
                      and not exists (select 1 from upload_chunks uc where uc.sha256 = a2.sha256)
                    limit $2)
                returning a.sha256, a.size
                """))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = cutoff });
                command.Parameters.Add(new NpgsqlParameter { Value = BatchSize });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    batch.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            foreach (var (sha256, size) in batch)
            {
                await store.DeleteAsync(sha256, cancellationToken);
                artifacts++;
                bytes += size;
            }

            if (batch.Count < BatchSize)
            {
                break;
            }
        }

        if (units > 0 || artifacts > 0)
        {
            LogCleaned(logger, units, artifacts, bytes);
        }

        // Then what the database does not know: blobs whose row was never written, writers' leftovers.
        await sweeper.SweepAsync(cancellationToken);

        return new OrphanCleanupResult(units, artifacts, bytes);
    }

    /// <summary>
    /// <see cref="CleanAsync"/> unless a task is queued or running in any process (operator mode, where syncs run on workers):
    /// null when it skipped. A sync that starts meanwhile is covered by the protection time.
    /// </summary>
    public async Task<OrphanCleanupResult?> CleanWhenIdleAsync(TimeSpan protection, CancellationToken cancellationToken)
    {
        await using (var busy = dataSource.CreateCommand("select exists (select 1 from tasks where state in ('queued', 'running'))"))
        {
            if (await busy.ExecuteScalarAsync(cancellationToken) is true)
            {
                return null;
            }
        }

        return await CleanAsync(protection, cancellationToken);
    }

    /// <summary>
    /// Drops push upload sessions and pending units not touched within <see cref="OrphanCleanupOptions.PendingUploadAge"/>: their
    /// chunks and units then become orphans for the passes that follow.
    /// </summary>
    private async Task DeleteAbandonedPushesAsync(CancellationToken cancellationToken)
    {
        var cutoff = DateTimeOffset.UtcNow - (options ?? new OrphanCleanupOptions()).PendingUploadAge;
        await using var command = dataSource.CreateCommand("""
            with sessions as (delete from upload_sessions where updated <= $1 returning 1),
                 pending as (delete from pending_content where updated <= $1 returning 1)
            select (select count(*) from sessions), (select count(*) from pending)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = cutoff });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken) && (reader.GetInt64(0) > 0 || reader.GetInt64(1) > 0))
        {
            LogAbandonedPushes(logger, reader.GetInt64(0), reader.GetInt64(1));
        }
    }

    [LoggerMessage(EventId = PackyardEventIds.AbandonedPushesDropped, Level = LogLevel.Information,
        Message = "Orphan cleanup dropped {Sessions} abandoned upload sessions and {Units} pushed units no version took in")]
    private static partial void LogAbandonedPushes(ILogger logger, long sessions, long units);

    /// <summary>
    /// Deletes the repositories whose deletion grace period has ended (with their versions and publications), so that what only
    /// they referenced becomes an orphan for the passes that follow.
    /// </summary>
    private async Task DeleteExpiredRepositoriesAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            delete from repositories where deleted is not null and keep_until <= now()
            returning namespace || '/' || name, latest_version, deleted
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            LogExpired(logger, reader.GetString(0), reader.GetInt64(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero));
        }
    }

    [LoggerMessage(EventId = PackyardEventIds.DeletedRepositoryExpired, Level = LogLevel.Information,
        Message = "Repository {Repository} deleted at {Deleted} is past its deletion grace period: versions up to {Version} removed")]
    private static partial void LogExpired(ILogger logger, string repository, long version, DateTimeOffset deleted);

    [LoggerMessage(EventId = PackyardEventIds.OrphansCleaned, Level = LogLevel.Information,
        Message = "Orphan cleanup removed {Units} content units and {Artifacts} artifacts ({Bytes} bytes)")]
    private static partial void LogCleaned(ILogger logger, long units, long artifacts, long bytes);
}
