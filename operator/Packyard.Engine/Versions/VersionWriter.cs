using Npgsql;
using Packyard.Engine.Database;

namespace Packyard.Engine.Versions;

/// <summary>How a set of candidate units becomes the next version.</summary>
public enum VersionMode
{
    /// <summary>Add the candidates; a current unit with the same repo_key as an added one is replaced.</summary>
    Merge,

    /// <summary>The new version holds exactly the candidates.</summary>
    Replace,
}

/// <summary>The result of trying to create a version: the version that is now latest, and whether it is new.</summary>
public sealed record VersionOutcome(long Version, bool Created, long Added, long Removed, long ContentCount);

/// <summary>
/// Creates repository versions from a temp table of candidate unit ids, atomically: the whole version or nothing.
/// Cost is proportional to what changes plus the candidates, not to the repository's history.
/// </summary>
internal static class VersionWriter
{
    /// <summary>
    /// Creates the next version of <paramref name="repositoryId"/> from the ids in temp table <paramref name="candidateTable"/>
    /// (one column <c>content_id</c>), or none when nothing would change. Runs in its own transaction on
    /// <paramref name="connection"/>; concurrent writers of one repository are serialised by a row lock. With
    /// <paramref name="removeTable"/> (a temp table of one column <c>repo_key</c>), current units with those repo keys are removed too.
    /// </summary>
    public static async Task<VersionOutcome> CreateAsync(NpgsqlConnection connection, long repositoryId, string candidateTable,
        VersionMode mode, string reason, CancellationToken cancellationToken, string? removeTable = null)
    {
        // Temp tables are never analysed by autovacuum and have no index: without both, the anti-joins below become
        // nested loops over every candidate for every current unit (quadratic in the repository's size).
        await connection.ExecuteAsync($"create index if not exists {candidateTable}_content_id on {candidateTable} (content_id)", cancellationToken);
        await connection.ExecuteAsync($"analyze {candidateTable}", cancellationToken);

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var latest = await connection.ScalarAsync<long>("select latest_version from repositories where id = $1 for update", cancellationToken, repositoryId);

        await connection.ExecuteAsync($"""
            create temp table _version_add on commit drop as
            select distinct c.content_id from {candidateTable} c
            where not exists (select 1 from repository_content rc
                              where rc.repository_id = $1 and rc.content_id = c.content_id and rc.version_removed is null)
            """, cancellationToken, repositoryId);

        var removeSql = mode == VersionMode.Replace
            ? $"""
               create temp table _version_remove on commit drop as
               select rc.content_id from repository_content rc
               where rc.repository_id = $1 and rc.version_removed is null
                 and not exists (select 1 from {candidateTable} c where c.content_id = rc.content_id)
               """
            : """
              create temp table _version_remove on commit drop as
              select rc.content_id from repository_content rc join content_units cur on cur.id = rc.content_id
              where rc.repository_id = $1 and rc.version_removed is null
                and cur.repo_key in (select cu.repo_key from _version_add a join content_units cu on cu.id = a.content_id)
              """;
        await connection.ExecuteAsync(removeSql, cancellationToken, repositoryId);
        if (removeTable is not null)
        {
            await connection.ExecuteAsync($"""
                insert into _version_remove
                select rc.content_id from repository_content rc join content_units cur on cur.id = rc.content_id
                where rc.repository_id = $1 and rc.version_removed is null and cur.repo_key in (select repo_key from {removeTable})
                  and rc.content_id not in (select content_id from _version_remove)
                """, cancellationToken, repositoryId);
        }

        var added = await connection.ScalarAsync<long>("select count(*) from _version_add", cancellationToken);
        var removed = await connection.ScalarAsync<long>("select count(*) from _version_remove", cancellationToken);
        if (added == 0 && removed == 0)
        {
            var count = await connection.ScalarAsync<long>("select content_count from repository_versions where repository_id = $1 and number = $2", cancellationToken, repositoryId, latest);
            await transaction.RollbackAsync(cancellationToken);
            return new VersionOutcome(latest, false, 0, 0, count);
        }

        var next = latest + 1;
        await connection.ExecuteAsync("""
            update repository_content set version_removed = $2
            where repository_id = $1 and version_removed is null and content_id in (select content_id from _version_remove)
            """, cancellationToken, repositoryId, next);
        await connection.ExecuteAsync("insert into repository_content (repository_id, content_id, version_added) select $1, content_id, $2 from _version_add",
            cancellationToken, repositoryId, next);
        var contentCount = await connection.ScalarAsync<long>("select count(*) from repository_content where repository_id = $1 and version_removed is null", cancellationToken, repositoryId);
        await connection.ExecuteAsync("insert into repository_versions (repository_id, number, added, removed, content_count, reason) values ($1, $2, $3, $4, $5, $6)",
            cancellationToken, repositoryId, next, added, removed, contentCount, reason);
        await connection.ExecuteAsync("update repositories set latest_version = $2 where id = $1", cancellationToken, repositoryId, next);

        // Commit point: the version becomes visible whole. Not cancellable, so a cancellation cannot leave
        // the caller unsure whether it happened.
        await transaction.CommitAsync(CancellationToken.None);
        return new VersionOutcome(next, true, added, removed, contentCount);
    }
}
