using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Packyard.Engine.Database;
using Packyard.Engine.Storage;
using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;

namespace Packyard.Engine.Versions;

/// <summary>
/// The engine's side of a type's push protocol (<see cref="PushTarget"/>): resumable upload sessions whose rows are in
/// PostgreSQL and whose chunks are store objects (each with an <c>artifacts</c> row, listed in <c>upload_chunks</c>), so any
/// replica can take the next chunk; units pending in a repository until a commit makes one version of them. A session of one
/// chunk is finished without copying (the chunk is the blob, stored by its sha256); several chunks are streamed back through
/// the store once, hashed on the way. Every write holds the reclaim lock shared, as uploads do, so orphan cleanup never
/// deletes what a push is about to reference.
/// </summary>
public sealed class PushService(NpgsqlDataSource dataSource, IArtifactStore store, ILogger<PushService> logger)
{
    /// <summary>The staging table of repo keys a commit removes.</summary>
    private const string RemoveTable = "push_remove";

    public async Task<Guid> StartSessionAsync(long repositoryId, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("insert into upload_sessions (id, repository_id) values ($1, $2)", cancellationToken, id, repositoryId);
        return id;
    }

    /// <summary>The bytes the session has received, or null when the repository has no such session.</summary>
    public async Task<long?> SessionSizeAsync(long repositoryId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await SessionSizeAsync(connection, repositoryId, id, cancellationToken);
    }

    private static async Task<long?> SessionSizeAsync(NpgsqlConnection connection, long repositoryId, Guid id, CancellationToken cancellationToken) =>
        await connection.ScalarAsync<object?>("select size from upload_sessions where id = $1 and repository_id = $2", cancellationToken, id, repositoryId) as long?;

    /// <summary>Appends a chunk at <paramref name="offset"/>; returns the session's new size.</summary>
    /// <exception cref="UploadRangeException">The session stands elsewhere (checked before and after the body is stored).</exception>
    /// <exception cref="InvalidUploadException">404: no such session.</exception>
    public async Task<long> AppendAsync(long repositoryId, Guid id, long offset, Stream body, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ReclaimLock.AcquireSharedAsync(connection, cancellationToken);
        try
        {
            var size = await SessionSizeAsync(connection, repositoryId, id, cancellationToken) ?? throw UnknownSession(id);
            if (size != offset)
            {
                throw new UploadRangeException($"the chunk starts at byte {offset}, but the upload has received {size} bytes", size);
            }

            var chunk = await store.PutAsync(body, null, cancellationToken);
            if (chunk.Size == 0)
            {
                return size;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync("insert into artifacts (sha256, size) values ($1, $2) on conflict do nothing", cancellationToken, chunk.Sha256, chunk.Size);
            await using (var advance = new NpgsqlCommand(
                "update upload_sessions set size = size + $3, updated = now() where id = $1 and size = $2", connection, transaction))
            {
                advance.AddParameters(id, offset, chunk.Size);
                if (await advance.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    var now = await SessionSizeAsync(connection, repositoryId, id, cancellationToken) ?? throw UnknownSession(id);
                    throw new UploadRangeException($"another chunk was appended at byte {offset} meanwhile; the upload has received {now} bytes", now);
                }
            }

            await connection.ExecuteAsync("insert into upload_chunks (session_id, start, sha256, size) values ($1, $2, $3, $4)",
                cancellationToken, id, offset, chunk.Sha256, chunk.Size);
            await transaction.CommitAsync(cancellationToken);
            return offset + chunk.Size;
        }
        finally
        {
            await ReclaimLock.ReleaseSharedAsync(connection);
        }
    }

    /// <summary>
    /// Finishes the session as one object that must have <paramref name="sha256"/>; the session is removed whatever the outcome.
    /// </summary>
    /// <exception cref="UploadDigestException">The bytes have another digest; nothing was kept.</exception>
    public async Task<StoredArtifact> CompleteAsync(long repositoryId, Guid id, string sha256, string what, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ReclaimLock.AcquireSharedAsync(connection, cancellationToken);
        try
        {
            var size = await SessionSizeAsync(connection, repositoryId, id, cancellationToken) ?? throw UnknownSession(id);
            var chunks = new List<StoredArtifact>();
            await using (var command = new NpgsqlCommand("select sha256, size from upload_chunks where session_id = $1 order by start", connection))
            {
                command.AddParameters(id);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    chunks.Add(new StoredArtifact(reader.GetString(0), reader.GetInt64(1)));
                }
            }

            try
            {
                StoredArtifact stored;
                if (chunks.Count == 1)
                {
                    // The one chunk is the blob, already stored by its sha256.
                    stored = chunks[0].Sha256 == sha256 ? chunks[0] : throw Mismatch(what, sha256);
                }
                else
                {
                    await using var joined = new ChunkStream(store, chunks);
                    stored = await store.PutAsync(joined, new ExpectedDigest(sha256, size, what), cancellationToken);
                }

                await connection.ExecuteAsync("insert into artifacts (sha256, size) values ($1, $2) on conflict do nothing", cancellationToken, stored.Sha256, stored.Size);
                return stored;
            }
            catch (DigestMismatchException)
            {
                throw Mismatch(what, sha256);
            }
            finally
            {
                // Commit point of the session: gone whatever happened, so a failed upload leaves nothing behind but chunks orphan cleanup reclaims.
                await connection.ExecuteAsync("delete from upload_sessions where id = $1", CancellationToken.None, id);
            }
        }
        finally
        {
            await ReclaimLock.ReleaseSharedAsync(connection);
        }
    }

    public async Task<bool> CancelAsync(long repositoryId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("delete from upload_sessions where id = $1 and repository_id = $2", connection);
        command.AddParameters(id, repositoryId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Streams <paramref name="body"/> into the store, checked against <paramref name="sha256"/> when given.</summary>
    public async Task<StoredArtifact> StoreAsync(Stream body, string? sha256, string what, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ReclaimLock.AcquireSharedAsync(connection, cancellationToken);
        try
        {
            StoredArtifact stored;
            try
            {
                stored = await store.PutAsync(body, sha256 is null ? null : new ExpectedDigest(sha256, null, what), cancellationToken);
            }
            catch (DigestMismatchException)
            {
                throw Mismatch(what, sha256!);
            }

            await connection.ExecuteAsync("insert into artifacts (sha256, size) values ($1, $2) on conflict do nothing", cancellationToken, stored.Sha256, stored.Size);
            return stored;
        }
        finally
        {
            await ReclaimLock.ReleaseSharedAsync(connection);
        }
    }

    /// <summary>Saves <paramref name="unit"/> (its artifacts stored) and records it as pending in the repository.</summary>
    public async Task AddPendingAsync(long repositoryId, string type, DeclaredContent unit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ReclaimLock.AcquireSharedAsync(connection, cancellationToken);
        try
        {
            await StageAsync(connection, type, [unit], cancellationToken);
            await connection.ExecuteAsync("""
                insert into pending_content (repository_id, content_id) select $1, content_id from sync_candidates
                on conflict (repository_id, content_id) do update set updated = now()
                """, cancellationToken, repositoryId);
        }
        finally
        {
            await ContentStaging.DropTablesAsync(connection);
            await ReclaimLock.ReleaseSharedAsync(connection);
        }
    }

    /// <summary>
    /// The latest version's units (and with <paramref name="withPending"/> the repository's pending ones) whose repo key starts with
    /// <paramref name="repoKeyPrefix"/> and whose natural key is <paramref name="naturalKey"/>, each filter when given.
    /// </summary>
    public async Task<IReadOnlyList<DeclaredContent>> ReadCurrentAsync(long repositoryId, string type, string? repoKeyPrefix, string? naturalKey,
        CancellationToken cancellationToken, bool withPending = false)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            select u.id, u.natural_key, u.repo_key, u.name, u.version, u.metadata::text, ca.relative_path, ca.sha256, ca.size
            from content_units u left join content_artifacts ca on ca.content_id = u.id
            where u.type = $2 and ($3::text is null or starts_with(u.repo_key, $3)) and ($4::text is null or u.natural_key = $4)
              and (exists (select 1 from repository_content rc where rc.repository_id = $1 and rc.content_id = u.id and rc.version_removed is null)
                   or $5 and exists (select 1 from pending_content p where p.repository_id = $1 and p.content_id = u.id))
            order by u.id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        command.Parameters.Add(new NpgsqlParameter { Value = type });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)repoKeyPrefix ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)naturalKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = withPending });
        var units = new List<DeclaredContent>();
        long lastId = -1;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            if (id != lastId)
            {
                units.Add(new DeclaredContent(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetString(5), new List<DeclaredArtifact>()));
                lastId = id;
            }

            if (!reader.IsDBNull(6))
            {
                ((List<DeclaredArtifact>)units[^1].Artifacts).Add(new DeclaredArtifact(reader.GetString(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetInt64(8), null));
            }
        }

        return units;
    }

    /// <summary>
    /// One new version of the repository: <paramref name="add"/> merged into the latest, the units of <paramref name="removeRepoKeys"/>
    /// taken out; the added units are no longer pending. Every artifact of an added unit must be stored (400 otherwise).
    /// </summary>
    public async Task<VersionOutcome> CommitAsync(long repositoryId, string repositoryName, string type, IReadOnlyList<DeclaredContent> add,
        IReadOnlyList<string> removeRepoKeys, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ReclaimLock.AcquireSharedAsync(connection, cancellationToken);
        try
        {
            // Units already saved (a synced OnDemand blob, say) keep their artifacts as they are; new ones must bring stored bytes.
            var known = new HashSet<string>(StringComparer.Ordinal);
            await using (var existing = new NpgsqlCommand("select natural_key from content_units where type = $1 and natural_key = any($2)", connection))
            {
                existing.AddParameters(type, add.Select(u => u.NaturalKey).ToArray());
                await using var reader = await existing.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    known.Add(reader.GetString(0));
                }
            }

            var digests = add.Where(u => !known.Contains(u.NaturalKey)).SelectMany(u => u.Artifacts).Select(a => a.Sha256.ToLowerInvariant())
                .Distinct(StringComparer.Ordinal).ToArray();
            var stored = await connection.ScalarAsync<long>("select count(*) from artifacts where sha256 = any($1)", cancellationToken, [digests]);
            if (stored != digests.Length)
            {
                throw new InvalidUploadException("a unit of the push names an artifact that was never uploaded");
            }

            await StageAsync(connection, type, add, cancellationToken);
            await connection.ExecuteAsync($"create temp table if not exists {RemoveTable} (repo_key text not null); truncate {RemoveTable}", cancellationToken);
            await connection.ExecuteAsync($"insert into {RemoveTable} select unnest($1::text[])", cancellationToken, [removeRepoKeys.ToArray()]);
            var outcome = await VersionWriter.CreateAsync(connection, repositoryId, ContentStaging.CandidateTable, VersionMode.Merge, "push", cancellationToken, RemoveTable);
            await connection.ExecuteAsync("delete from pending_content where repository_id = $1 and content_id in (select content_id from sync_candidates)",
                CancellationToken.None, repositoryId);
            if (outcome.Created)
            {
                EngineLog.VersionCreated(logger, repositoryName, outcome.Version, outcome.Added, outcome.Removed);
            }

            return outcome;
        }
        finally
        {
            await ContentStaging.DropTablesAsync(connection);
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await connection.ExecuteAsync($"drop table if exists {RemoveTable}", CancellationToken.None);
            }

            await ReclaimLock.ReleaseSharedAsync(connection);
        }
    }

    private static async Task StageAsync(NpgsqlConnection connection, string type, IReadOnlyList<DeclaredContent> units, CancellationToken cancellationToken)
    {
        foreach (var unit in units)
        {
            ContentStaging.Validate(unit);
        }

        await ContentStaging.CreateTablesAsync(connection, cancellationToken);
        await ContentStaging.CopyBatchAsync(connection, [.. units], cancellationToken);
        await ContentStaging.CheckConflictsAsync(connection, cancellationToken);
        await ContentStaging.SaveAsync(connection, type, null, cancellationToken);
    }

    private static InvalidUploadException UnknownSession(Guid id) => new($"upload {id} is not known (finished, cancelled or expired)", 404);

    private static UploadDigestException Mismatch(string what, string sha256) =>
        new($"{what}: the uploaded bytes do not have the declared digest sha256:{sha256}; nothing was stored");

    /// <summary>The chunks of a session read back from the store one after another, as one stream.</summary>
    private sealed class ChunkStream(IArtifactStore store, List<StoredArtifact> chunks) : ReadOnlyStream
    {
        private int next;
        private Stream? current;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (current is null)
                {
                    if (next == chunks.Count)
                    {
                        return 0;
                    }

                    var chunk = chunks[next++];
                    current = await store.OpenReadAsync(chunk.Sha256, 0, cancellationToken)
                        ?? throw new ArtifactStoreException(ArtifactStoreReasons.StorageNotFound, "artifact store", $"a chunk of the upload ({chunk.Sha256}) is missing from the artifact store");
                }

                var read = await current.ReadAsync(buffer, cancellationToken);
                if (read > 0)
                {
                    return read;
                }

                await current.DisposeAsync();
                current = null;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (current is not null)
            {
                await current.DisposeAsync();
            }

            await base.DisposeAsync();
        }
    }
}
