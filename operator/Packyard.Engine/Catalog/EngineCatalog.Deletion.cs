using Npgsql;
using Packyard.Engine.Database;

namespace Packyard.Engine.Catalog;

/// <summary>
/// The deletion grace period: deleting a repository detaches it (its row, versions, content ranges and publications stay,
/// invisible to lookups by name) until <c>keep_until</c>; a repository of the same namespace, name and type created before
/// then is the detached one again; orphan cleanup deletes it afterwards. One live repository per namespace and name.
/// </summary>
public sealed partial class EngineCatalog
{
    // Advisory lock namespace for repository names ("pn"); RepositoryLock uses "py" for repository ids.
    private const int NameLockClass = 0x706e;

    /// <summary>
    /// The live repository of that namespace and name when it has <paramref name="type"/>; else the newest repository of the same
    /// namespace, name and type detached by a deletion whose grace has not ended, made live again (versions, publications and
    /// upload history as they were; it syncs again as a created repository does); else a new one with its empty version 0.
    /// Throws <see cref="InvalidOperationException"/> when the live repository has another type.
    /// </summary>
    public async Task<RepositoryAttachment> AttachRepositoryAsync(string ns, string name, string type, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockNameAsync(connection, transaction, ns, name, cancellationToken);

        await using (var live = new NpgsqlCommand("select id, type from repositories where namespace = $1 and name = $2 and deleted is null", connection, transaction))
        {
            live.AddParameters(ns, name);
            await using var reader = await live.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                var (id, existingType) = (reader.GetInt64(0), reader.GetString(1));
                return existingType == type
                    ? new RepositoryAttachment(id, null)
                    : throw new InvalidOperationException($"repository {ns}/{name} already exists with type {existingType}; spec.type is immutable");
            }
        }

        RestoredRepository? restored = null;
        long repositoryId;
        await using (var reattach = new NpgsqlCommand("""
            with kept as (
                select id, deleted from repositories
                where namespace = $1 and name = $2 and type = $3 and deleted is not null and keep_until > now()
                order by deleted desc limit 1 for update)
            update repositories r set deleted = null, keep_until = null, sync_fingerprint = null
            from kept where r.id = kept.id
            returning r.id, kept.deleted, r.latest_version,
                (select coalesce(min(v.number), 0) from repository_versions v where v.repository_id = r.id and v.number > 0)
            """, connection, transaction))
        {
            reattach.AddParameters(ns, name, type);
            await using var reader = await reattach.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                repositoryId = reader.GetInt64(0);
                restored = new RestoredRepository(new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero), reader.GetInt64(3), reader.GetInt64(2));
            }
            else
            {
                repositoryId = 0;
            }
        }

        if (restored is null)
        {
            await using var insert = new NpgsqlCommand("insert into repositories (namespace, name, type) values ($1, $2, $3) returning id", connection, transaction);
            insert.AddParameters(ns, name, type);
            repositoryId = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
            await using var version0 = new NpgsqlCommand(
                "insert into repository_versions (repository_id, number, added, removed, content_count, reason) values ($1, 0, 0, 0, 0, 'created')",
                connection, transaction);
            version0.AddParameters(repositoryId);
            await version0.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            // Distributions still pointing at it serve it again.
            await NotifyAsync(connection, transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new RepositoryAttachment(repositoryId, restored);
    }

    /// <summary>
    /// Deletes the live repository of that namespace and name: with a positive <paramref name="grace"/> it is detached (kept, with
    /// everything it references, until the grace ends; its queued tasks are dropped); with none it is deleted at once with its
    /// versions and publications (artifacts are left for orphan cleanup). Null when there was no live repository.
    /// </summary>
    public async Task<RepositoryDeletion?> DetachRepositoryAsync(string ns, string name, TimeSpan grace, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockNameAsync(connection, transaction, ns, name, cancellationToken);
        RepositoryDeletion? deletion = null;
        await using (var command = grace > TimeSpan.Zero
            ? new NpgsqlCommand("""
                update repositories set deleted = now(), keep_until = now() + $3
                where namespace = $1 and name = $2 and deleted is null
                returning id, latest_version, deleted, keep_until
                """, connection, transaction).AddParameters(ns, name, grace)
            : new NpgsqlCommand("""
                delete from repositories where namespace = $1 and name = $2 and deleted is null
                returning id, latest_version, now(), null::timestamptz
                """, connection, transaction).AddParameters(ns, name))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                deletion = new RepositoryDeletion(reader.GetInt64(0), reader.GetInt64(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero),
                    reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero));
            }
        }

        if (deletion is null)
        {
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        if (deletion.KeepUntil is not null)
        {
            // Nothing is to be done for it while it is detached; a running task finishes (or is canceled) on its own.
            await using var tasks = new NpgsqlCommand("delete from tasks where repository_id = $1 and state = 'queued'", connection, transaction);
            tasks.AddParameters(deletion.Id);
            await tasks.ExecuteNonQueryAsync(cancellationToken);
        }

        await NotifyAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deletion;
    }

    /// <summary>Serialises attaching and detaching the repositories of one namespace and name until the transaction ends.</summary>
    private static async Task LockNameAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string ns, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock($1, hashtext($2 || '/' || $3))", connection, transaction);
        command.AddParameters(NameLockClass, ns, name);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the live repository at once with its versions and publications; artifacts are left for orphan cleanup.</summary>
    public Task DeleteRepositoryAsync(string ns, string name, CancellationToken cancellationToken) =>
        DetachRepositoryAsync(ns, name, TimeSpan.Zero, cancellationToken);
}
