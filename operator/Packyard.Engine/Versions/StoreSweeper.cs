using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Packyard.Engine.Storage;

namespace Packyard.Engine.Versions;

/// <summary>What a store sweep removed.</summary>
public sealed record StoreSweepResult(long Objects, long TemporaryFiles);

/// <summary>
/// The part of orphan cleanup that starts from the store rather than the database: objects no <c>artifacts</c> row
/// references (stored by an upload or sync that died before recording them, or refused after storing) and temporary
/// files of killed writers, once older than <see cref="OrphanCleanupOptions.UnreferencedAge"/>. Every published file
/// and content artifact has an <c>artifacts</c> row, so a row is what keeps an object.
/// </summary>
public sealed partial class StoreSweeper(NpgsqlDataSource dataSource, IArtifactStore store, OrphanCleanupOptions options, ILogger<StoreSweeper> logger)
{
    private const int BatchSize = 1000;

    public async Task<StoreSweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = DateTimeOffset.UtcNow - options.UnreferencedAge;
        var temporary = await store.CleanTemporaryFilesAsync(options.UnreferencedAge, cancellationToken).ConfigureAwait(false);
        long objects = 0;
        var batch = new List<string>(BatchSize);
        await foreach (var stored in store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (stored.LastModified > cutoff)
            {
                continue;
            }

            batch.Add(stored.Sha256);
            if (batch.Count == BatchSize)
            {
                objects += await DeleteUnreferencedAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }

        objects += await DeleteUnreferencedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (objects > 0 || temporary > 0)
        {
            LogSwept(logger, objects, temporary);
        }

        return new StoreSweepResult(objects, temporary);
    }

    private async Task<int> DeleteUnreferencedAsync(List<string> candidates, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return 0;
        }

        var referenced = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = dataSource.CreateCommand("select sha256 from artifacts where sha256 = any($1)"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = candidates.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                referenced.Add(reader.GetString(0));
            }
        }

        var deleted = 0;
        foreach (var sha256 in candidates.Where(c => !referenced.Contains(c)))
        {
            await store.DeleteAsync(sha256, cancellationToken).ConfigureAwait(false);
            deleted++;
        }

        return deleted;
    }

    [LoggerMessage(EventId = PackyardEventIds.StoreOrphansSwept, Level = LogLevel.Information,
        Message = "Orphan cleanup removed {Objects} store objects no row references and {TemporaryFiles} abandoned temporary files")]
    private static partial void LogSwept(ILogger logger, long objects, long temporaryFiles);
}
