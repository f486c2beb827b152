using System.Text.Json;
using Npgsql;
using Packyard.Engine.Database;
using Packyard.Engine.Tasks;

namespace Packyard.Engine.History;

/// <summary>
/// Read-only queries over what only the engine knows, shared by the <c>/api/v1</c> read endpoints (and so the
/// <c>packyard versions / diff / logs</c> verbs) and the status page: every version of a repository, the units added and removed
/// between two versions, and a task as stored.
/// </summary>
public sealed class RepositoryHistory(NpgsqlDataSource dataSource)
{
    /// <summary>Every version of the live repository <paramref name="namespace"/>/<paramref name="name"/>, newest first.</summary>
    /// <exception cref="UnknownRepositoryException">No such repository.</exception>
    public async Task<IReadOnlyList<VersionInfo>> ListVersionsAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var id = await RepositoryIdAsync(@namespace, name, cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand("""
            select v.number, v.created, v.added, v.removed, v.content_count, v.reason,
                exists (select 1 from publications p where p.repository_id = v.repository_id and p.version = v.number)
            from repository_versions v where v.repository_id = $1 order by v.number desc
            """);
        command.AddParameters(id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<VersionInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(new VersionInfo(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetString(5), reader.GetBoolean(6)));
        }

        return versions;
    }

    /// <summary>The units added and removed from version <paramref name="from"/> to version <paramref name="to"/>, by name and version.</summary>
    /// <exception cref="UnknownRepositoryException">No such repository.</exception>
    /// <exception cref="UnknownVersionException">Either version does not exist (any more).</exception>
    public async Task<VersionDiff> DiffAsync(string @namespace, string name, long from, long to, CancellationToken cancellationToken)
    {
        var id = await RepositoryIdAsync(@namespace, name, cancellationToken).ConfigureAwait(false);
        await using (var exists = dataSource.CreateCommand("""
            select coalesce(bool_and(exists (select 1 from repository_versions v where v.repository_id = $1 and v.number = n)), false),
                (select latest_version from repositories where id = $1)
            from unnest(array[$2, $3]::bigint[]) n
            """))
        {
            exists.AddParameters(id, from, to);
            await using var reader = await exists.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (!reader.GetBoolean(0))
            {
                var latest = reader.GetInt64(1);
                await reader.DisposeAsync().ConfigureAwait(false);
                var missing = await VersionExistsAsync(id, from, cancellationToken).ConfigureAwait(false) ? to : from;
                throw new UnknownVersionException($"{@namespace}/{name}", missing, latest);
            }
        }

        await using var command = dataSource.CreateCommand("""
            with a as (select content_id from repository_content where repository_id = $1 and version_added <= $2 and (version_removed is null or version_removed > $2)),
                 b as (select content_id from repository_content where repository_id = $1 and version_added <= $3 and (version_removed is null or version_removed > $3))
            select true, u.name, u.version from content_units u where u.id in (select content_id from b except select content_id from a)
            union all
            select false, u.name, u.version from content_units u where u.id in (select content_id from a except select content_id from b)
            order by 2, 3
            """);
        command.AddParameters(id, from, to);
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var added = new List<UnitChange>();
        var removed = new List<UnitChange>();
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            (rows.GetBoolean(0) ? added : removed).Add(new UnitChange(rows.GetString(1), rows.IsDBNull(2) ? null : rows.GetString(2)));
        }

        return new VersionDiff(from, to, added, removed);
    }

    /// <summary>Task <paramref name="id"/> as stored; null when there is none.</summary>
    public async Task<TaskRecord?> GetTaskAsync(long id, CancellationToken cancellationToken) =>
        (await ReadTasksAsync("where id = $1", [id], cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The newest <paramref name="limit"/> tasks that worked on the resource <c>Kind/namespace/name</c>, newest first.</summary>
    public Task<IReadOnlyList<TaskRecord>> ListTasksAsync(string resource, int limit, CancellationToken cancellationToken) =>
        ReadTasksAsync("where notify = $1 order by id desc limit $2", [resource, limit], cancellationToken);

    /// <summary>Queued and running tasks of every kind, oldest first (at most <paramref name="limit"/>): the task queue.</summary>
    public Task<IReadOnlyList<TaskRecord>> ListOpenTasksAsync(int limit, CancellationToken cancellationToken) =>
        ReadTasksAsync("where state in ('queued', 'running') order by id limit $1", [limit], cancellationToken);

    private async Task<IReadOnlyList<TaskRecord>> ReadTasksAsync(string where, object[] parameters, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            select id, kind, state, notify, worker, attempts, created, started, finished, progress::text, coalesce(result->>'message', error)
            from tasks {where}
            """);
        command.AddParameters(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var tasks = new List<TaskRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tasks.Add(new TaskRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : JsonSerializer.Deserialize(reader.GetString(9), TaskJsonContext.Default.TaskProgress),
                reader.IsDBNull(10) ? null : UrlSanitizer.Sanitize(reader.GetString(10))));
        }

        return tasks;
    }

    private async Task<bool> VersionExistsAsync(long repositoryId, long version, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select exists (select 1 from repository_versions where repository_id = $1 and number = $2)");
        command.AddParameters(repositoryId, version);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }

    private async Task<long> RepositoryIdAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select name, id from repositories where namespace = $1 and deleted is null");
        command.AddParameters(@namespace);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var known = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.GetString(0) == name)
            {
                return reader.GetInt64(1);
            }

            known.Add(reader.GetString(0));
        }

        throw new UnknownRepositoryException(@namespace, name, known);
    }
}
