using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Database;

namespace Packyard.Engine.Versions;

/// <summary>
/// Applies <c>retainVersions</c>: deletes versions older than the newest N (never one a distribution pins) with
/// their publications, and membership rows no retained version needs. Artifacts are left for orphan cleanup.
/// </summary>
public sealed class VersionPruner(NpgsqlDataSource dataSource, ILogger<VersionPruner> logger) : IVersionPruner
{
    public async Task<int> PruneAsync(long repositoryId, string repositoryName, int retain, CancellationToken cancellationToken)
    {
        if (retain <= 0)
        {
            return 0;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var latest = await connection.ScalarAsync<long>("select latest_version from repositories where id = $1 for update", cancellationToken, repositoryId);
        var oldestKept = latest - retain + 1;
        if (oldestKept <= 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return 0;
        }

        await using var delete = new NpgsqlCommand("""
            with pinned as (select version from distributions where repository_id = $1 and version is not null),
            gone as (
                delete from repository_versions
                where repository_id = $1 and number < $2 and number not in (select version from pinned)
                returning number)
            select count(*) from gone
            """, connection, transaction);
        delete.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        delete.Parameters.Add(new NpgsqlParameter { Value = oldestKept });
        var pruned = Convert.ToInt32(await delete.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        if (pruned == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return 0;
        }

        await connection.ExecuteAsync("""
            delete from publications p where p.repository_id = $1
              and not exists (select 1 from repository_versions v where v.repository_id = $1 and v.number = p.version)
            """, cancellationToken, repositoryId);
        // A membership row is still needed while some retained version lies in [version_added, version_removed).
        await connection.ExecuteAsync("""
            delete from repository_content rc where rc.repository_id = $1 and rc.version_removed is not null
              and rc.version_removed <= (select min(number) from repository_versions where repository_id = $1)
            """, cancellationToken, repositoryId);
        await connection.ExecuteAsync("select pg_notify('packyard_changes', 'prune')", cancellationToken);
        await transaction.CommitAsync(CancellationToken.None);
        EngineLog.VersionsPruned(logger, repositoryName, pruned, oldestKept);
        return pruned;
    }
}
