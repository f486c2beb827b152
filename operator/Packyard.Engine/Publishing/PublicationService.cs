using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Database;
using Packyard.Engine.Storage;
using Packyard.Engine.Versions;

namespace Packyard.Engine.Publishing;

/// <summary>Creates publications: runs the type's publisher for a version and records its files atomically.</summary>
public sealed class PublicationService(NpgsqlDataSource dataSource, IArtifactStore store, ContentTypeRegistry contentTypes,
    ILogger<PublicationService> logger, PublicationHooks? hooks = null)
{
    /// <summary>
    /// Publishes <paramref name="version"/> unless it already is with these options; returns the publication's creation time. A
    /// publication of the version made with other options (<see cref="PublishOptionsFingerprint"/>: spec.publish changed) is
    /// replaced by the new one in the same transaction, so the version is served by one or the other, never by neither.
    /// </summary>
    public async Task<DateTimeOffset> PublishAsync(long repositoryId, string repositoryName, string type, long version, PublishOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fingerprint = PublishOptionsFingerprint.Of(options);
        var replaces = false;
        await using (var existing = dataSource.CreateCommand(
            "select created, options_fingerprint from publications where repository_id = $1 and version = $2"))
        {
            existing.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
            existing.Parameters.Add(new NpgsqlParameter { Value = version });
            await using var reader = await existing.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                if (PublishOptionsFingerprint.IsCurrent(reader.IsDBNull(1) ? null : reader.GetString(1), fingerprint))
                {
                    return new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero);
                }

                replaces = true;
            }
        }

        var publisher = contentTypes.Get(type).Publisher;
        var context = new Context(dataSource, store, repositoryId, repositoryName, version, options);
        await publisher.PublishAsync(context, cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (replaces)
        {
            // Its published files go with it (cascade); their artifacts are reclaimed once nothing else references them.
            await using var delete = new NpgsqlCommand("delete from publications where repository_id = $1 and version = $2", connection, transaction);
            delete.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
            delete.Parameters.Add(new NpgsqlParameter { Value = version });
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        long publicationId;
        DateTime createdAt;
        await using (var insert = new NpgsqlCommand(
            "insert into publications (repository_id, version, pass_through, options_fingerprint) values ($1, $2, $3, $4) returning id, created",
            connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
            insert.Parameters.Add(new NpgsqlParameter { Value = version });
            insert.Parameters.Add(new NpgsqlParameter { Value = publisher.PassThrough });
            insert.Parameters.Add(new NpgsqlParameter { Value = fingerprint });
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            publicationId = reader.GetInt64(0);
            createdAt = reader.GetDateTime(1);
        }

        await using (var artifacts = new NpgsqlCommand(
            "insert into artifacts (sha256, size) select * from unnest($1::text[], $2::bigint[]) on conflict do nothing", connection, transaction))
        {
            artifacts.Parameters.Add(new NpgsqlParameter { Value = context.Files.Select(f => f.Sha256).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
            artifacts.Parameters.Add(new NpgsqlParameter { Value = context.Files.Select(f => f.Size).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint });
            await artifacts.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var files = await connection.BeginBinaryImportAsync(
            "copy published_files (publication_id, relative_path, sha256, size, media_type) from stdin (format binary)", cancellationToken))
        {
            foreach (var file in context.Files)
            {
                await files.WriteRowAsync(cancellationToken, publicationId, file.RelativePath, file.Sha256, file.Size, file.MediaType);
            }

            await files.CompleteAsync(cancellationToken);
        }

        await connection.ExecuteAsync("select pg_notify('packyard_changes', 'publication')", cancellationToken);
        if (hooks?.BeforeCommitAsync is { } beforeCommit)
        {
            await beforeCommit(repositoryId, version, cancellationToken);
        }

        // Commit point: the publication appears whole.
        await transaction.CommitAsync(CancellationToken.None);
        if (replaces)
        {
            EngineLog.Republished(logger, repositoryName, version, context.Files.Count);
        }
        else
        {
            EngineLog.Published(logger, repositoryName, version, context.Files.Count);
        }

        return new DateTimeOffset(createdAt, TimeSpan.Zero);
    }

    private sealed record FileRecord(string RelativePath, string Sha256, long Size, string MediaType);

    private sealed class Context(NpgsqlDataSource dataSource, IArtifactStore store, long repositoryId, string repositoryName, long version,
        PublishOptions options) : PublishContext
    {
        public override PublishOptions Options => options;

        public List<FileRecord> Files { get; } = [];

        public override string RepositoryName => repositoryName;

        public override long Version => version;

        public override async IAsyncEnumerable<PublishedUnit> ReadContentAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("""
                select cu.id, cu.name, cu.version, cu.metadata::text, ca.relative_path, ca.sha256, ca.size
                from repository_content rc
                join content_units cu on cu.id = rc.content_id
                left join content_artifacts ca on ca.content_id = cu.id
                where rc.repository_id = $1 and rc.version_added <= $2 and (rc.version_removed is null or rc.version_removed > $2)
                order by cu.repo_key, cu.id, ca.relative_path
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
            command.Parameters.Add(new NpgsqlParameter { Value = version });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            PublishedUnit? current = null;
            List<PublishedArtifact> artifacts = [];
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                if (current is not null && current.Id != id)
                {
                    yield return current;
                    artifacts = [];
                    current = null;
                }

                if (!reader.IsDBNull(4))
                {
                    // A unit may have no artifact at all (a container tag): it is read with an empty list.
                    artifacts.Add(new PublishedArtifact(reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt64(6)));
                }

                current ??= new PublishedUnit(id, reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), artifacts);
            }

            if (current is not null)
            {
                yield return current;
            }
        }

        public override async IAsyncEnumerable<EarlierPublishedFile> ReadEarlierFilesAsync(string pathPrefix, DateTimeOffset since,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("""
                with pubs as (
                    select id, created, lead(created) over (order by created, id) as superseded
                    from publications where repository_id = $1)
                select p.id, pf.relative_path, pf.sha256, pf.size, pf.media_type
                from published_files pf join pubs p on p.id = pf.publication_id
                where (p.superseded is null or p.superseded >= $2) and starts_with(pf.relative_path, $3)
                order by p.id, pf.relative_path
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
            command.Parameters.Add(new NpgsqlParameter { Value = since.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter { Value = pathPrefix });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return new EarlierPublishedFile(reader.GetInt64(0),
                    new PublishedFile(reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4)));
            }
        }

        public override void AddStoredFile(PublishedFile file)
        {
            ArgumentNullException.ThrowIfNull(file);
            lock (Files)
            {
                Files.Add(new FileRecord(file.RelativePath, file.Sha256, file.Size, file.MediaType));
            }
        }

        public override IReadOnlyList<PublishedFile> FilesUnder(string pathPrefix)
        {
            lock (Files)
            {
                return Files.Where(file => file.RelativePath.StartsWith(pathPrefix, StringComparison.Ordinal))
                    .Select(file => new PublishedFile(file.RelativePath, file.Sha256, file.Size, file.MediaType)).ToList();
            }
        }

        public override async Task AddFileAsync(string relativePath, string mediaType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
        {
            var spool = new SpoolStream();
            try
            {
                await write(spool, cancellationToken);
                await using var input = spool.OpenRead();
                // The artifacts row is written with the publication, in its transaction (one statement for all files).
                var stored = await store.PutAsync(input, null, cancellationToken);
                lock (Files)
                {
                    Files.Add(new FileRecord(relativePath, stored.Sha256, stored.Size, mediaType));
                }
            }
            finally
            {
                spool.Discard();
                await spool.DisposeAsync();
            }
        }
    }
}
