using Npgsql;
using Packyard.Engine.Database;
using Packyard.Plugins;

namespace Packyard.StatusPage;

/// <summary>One repository version as the status page lists it.</summary>
public sealed record VersionRow(long Number, DateTimeOffset Created, long Added, long Removed, long ContentCount, string Reason);

/// <summary>A task of the queue (or a repository's recent sync) as the status page lists it.</summary>
public sealed record TaskRow(long Id, string Kind, string State, string? Namespace, string? Repository, string? Worker,
    DateTimeOffset Created, DateTimeOffset? Started, DateTimeOffset? Finished, string? Error);

/// <summary>
/// What the status page reads from PostgreSQL: every version of a repository (with counts and dates), a repository's recent
/// tasks, and the task queue. Read-only; one class so it can be merged with the verbs' version queries.
/// </summary>
public sealed class StatusPageQueries(NpgsqlDataSource dataSource)
{
    /// <summary>Every version of the live repository <paramref name="ns"/>/<paramref name="name"/>, newest first (empty when unknown).</summary>
    public async Task<IReadOnlyList<VersionRow>> VersionsAsync(string ns, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select v.number, v.created, v.added, v.removed, v.content_count, v.reason
            from repository_versions v join repositories r on r.id = v.repository_id
            where r.namespace = $1 and r.name = $2 and r.deleted is null
            order by v.number desc
            """).AddParameters(ns, name);
        var rows = new List<VersionRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new VersionRow(reader.GetInt64(0), Utc(reader.GetDateTime(1)), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetString(5)));
        }

        return rows;
    }

    /// <summary>Queued and running tasks, oldest first (at most <paramref name="limit"/>).</summary>
    public Task<IReadOnlyList<TaskRow>> QueueAsync(int limit, CancellationToken cancellationToken) =>
        TasksAsync("t.state in ('queued', 'running') order by t.id limit $1", cancellationToken, limit);

    /// <summary>The newest tasks of the live repository <paramref name="ns"/>/<paramref name="name"/> (syncs, publishes, promotions).</summary>
    public Task<IReadOnlyList<TaskRow>> RecentTasksAsync(string ns, string name, int limit, CancellationToken cancellationToken) =>
        TasksAsync("r.namespace = $2 and r.name = $3 and r.deleted is null order by t.id desc limit $1", cancellationToken, limit, ns, name);

    private async Task<IReadOnlyList<TaskRow>> TasksAsync(string where, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand($"""
            select t.id, t.kind, t.state, r.namespace, r.name, t.worker, t.created, t.started, t.finished, t.error
            from tasks t left join repositories r on r.id = t.repository_id
            where {where}
            """).AddParameters(parameters);
        var rows = new List<TaskRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new TaskRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), Utc(reader.GetDateTime(6)),
                reader.IsDBNull(7) ? null : Utc(reader.GetDateTime(7)), reader.IsDBNull(8) ? null : Utc(reader.GetDateTime(8)),
                reader.IsDBNull(9) ? null : UrlSanitizer.Sanitize(reader.GetString(9))));
        }

        return rows;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
