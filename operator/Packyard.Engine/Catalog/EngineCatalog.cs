using Npgsql;
using Packyard.Engine.Database;
using Packyard.Engine.Downloads;
using Packyard.Engine.Secrets;

namespace Packyard.Engine.Catalog;

/// <summary>
/// The engine-side records of Remotes, Repositories and Distributions: created or updated from resource specs by
/// the reconcilers, read by the sync, publish and serve paths. Every change notifies content servers to refresh.
/// </summary>
public sealed partial class EngineCatalog(NpgsqlDataSource dataSource, SecretCipher? secrets = null, ContentTypeRegistry? contentTypes = null) : IRepositoryCatalog, IRemoteCatalog, IDistributionCatalog
{
    public const string ChangeChannel = "packyard_changes";

    public async Task<long> UpsertRemoteAsync(RemoteSettings remote, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into remotes (namespace, name, type, url, policy, config) values ($1, $2, $3, $4, $5, $6::jsonb)
            on conflict (namespace, name) do update set type = excluded.type, url = excluded.url, policy = excluded.policy,
                config = excluded.config, updated = now()
            where (remotes.type, remotes.url, remotes.policy, remotes.config) is distinct from (excluded.type, excluded.url, excluded.policy, excluded.config)
            returning id
            """);
        command.AddParameters(remote.Namespace, remote.Name, remote.Type, RemoteConfigCodec.WithoutUserInfo(remote.BaseUrl).ToString(),
            remote.Policy.ToString(), RemoteConfigCodec.Encode(remote, secrets));
        if (await command.ExecuteScalarAsync(cancellationToken) is long id)
        {
            return id;
        }

        return await IdAsync("remotes", remote.Namespace, remote.Name, cancellationToken)
            ?? throw new InvalidOperationException($"remote {remote.DisplayName} vanished while being saved");
    }

    /// <exception cref="SecretKeyException">The Remote's credentials were stored with another secret key.</exception>
    public async Task<RemoteSettings?> GetRemoteAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select config::text from remotes where id = $1");
        command.AddParameters(id);
        return await command.ExecuteScalarAsync(cancellationToken) is string json
            ? RemoteConfigCodec.Decode(json, secrets)
            : null;
    }

    /// <summary>The newest remote that knows where to download a content artifact, or null.</summary>
    /// <exception cref="SecretKeyException">The Remote's credentials were stored with another secret key.</exception>
    public async Task<ArtifactSource?> FindArtifactSourceAsync(long contentArtifactId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select r.config::text, ra.url from remote_artifacts ra join remotes r on r.id = ra.remote_id
            where ra.content_artifact_id = $1 order by r.updated desc limit 1
            """);
        command.AddParameters(contentArtifactId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var remote = RemoteConfigCodec.Decode(reader.GetString(0), secrets);
        return new ArtifactSource(remote, new Uri(reader.GetString(1)));
    }

    /// <summary>
    /// Creates the repository (with its empty version 0) if needed, or reattaches one of the same type kept since its deletion
    /// (<see cref="AttachRepositoryAsync"/>); fails when it exists with another type.
    /// </summary>
    public async Task<long> EnsureRepositoryAsync(string ns, string name, string type, CancellationToken cancellationToken) =>
        (await AttachRepositoryAsync(ns, name, type, cancellationToken)).Id;

    /// <summary>Records whether the content API accepts uploads into the repository.</summary>
    public async Task SetUploadsEnabledAsync(long repositoryId, bool enabled, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("update repositories set uploads_enabled = $2 where id = $1 and uploads_enabled <> $2");
        command.AddParameters(repositoryId, enabled);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The repository uploads go to, or null when it does not exist.</summary>
    public async Task<UploadTarget?> FindUploadTargetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select id, type, uploads_enabled from repositories where namespace = $1 and name = $2 and deleted is null");
        command.AddParameters(ns, name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new UploadTarget(reader.GetInt64(0), reader.GetString(1), reader.GetBoolean(2)) : null;
    }

    /// <summary>The fingerprint and start time of the repository's last successful sync.</summary>
    public async Task<(string? Fingerprint, DateTimeOffset? LastStarted)> GetSyncStateAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select sync_fingerprint, last_sync_started from repositories where id = $1");
        command.AddParameters(repositoryId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (null, null);
        }

        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero));
    }

    /// <summary>Records a successful sync.</summary>
    public async Task RecordSyncAsync(long repositoryId, string fingerprint, DateTimeOffset started, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("update repositories set sync_fingerprint = $2, last_sync_started = $3 where id = $1");
        command.AddParameters(repositoryId, fingerprint, started);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The live repository of that namespace and name (not one detached by a deletion), or null.</summary>
    public async Task<long?> FindRepositoryAsync(string ns, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select id from repositories where namespace = $1 and name = $2 and deleted is null");
        command.AddParameters(ns, name);
        return await command.ExecuteScalarAsync(cancellationToken) as long?;
    }

    public async Task<RepositoryState> GetRepositoryStateAsync(long repositoryId, int versionsToShow, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select v.number, v.created, v.added, v.removed, v.content_count from repository_versions v
            where v.repository_id = $1 order by v.number desc limit $2
            """);
        command.AddParameters(repositoryId, versionsToShow);
        var versions = new List<RepositoryVersionInfo>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                versions.Add(new RepositoryVersionInfo(reader.GetInt64(0), new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero),
                    reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
            }
        }

        await using var publication = dataSource.CreateCommand(
            "select version, created, options_fingerprint from publications where repository_id = $1 order by version desc limit 1");
        publication.AddParameters(repositoryId);
        PublicationInfo? latestPublication = null;
        await using (var reader = await publication.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                latestPublication = new PublicationInfo(reader.GetInt64(0), new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero),
                    reader.IsDBNull(2) ? null : reader.GetString(2));
            }
        }

        return new RepositoryState(versions, latestPublication) { ContentCounts = await CountKindsAsync(repositoryId, cancellationToken) };
    }

    /// <summary>The repository's current units by the kinds its type counts apart, or null when its type declares none.</summary>
    private async Task<IReadOnlyDictionary<string, long>?> CountKindsAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var type = dataSource.CreateCommand("select type from repositories where id = $1");
        type.AddParameters(repositoryId);
        if (contentTypes is null || await type.ExecuteScalarAsync(cancellationToken) is not string name
            || !contentTypes.TryGet(name, out var plugin) || plugin.Kinds is not { Count: > 0 } kinds)
        {
            return null;
        }

        await using var command = dataSource.CreateCommand("""
            select k.i, count(cu.id) from unnest($2::text[]) with ordinality k(prefix, i)
            left join (repository_content rc join content_units cu on cu.id = rc.content_id)
              on rc.repository_id = $1 and rc.version_removed is null and starts_with(cu.natural_key, k.prefix)
            group by k.i order by k.i
            """);
        command.AddParameters(repositoryId, kinds.Select(k => k.NaturalKeyPrefix).ToArray());
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[kinds[(int)reader.GetInt64(0) - 1].Plural] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>Creates or updates a distribution; throws <see cref="BasePathConflictException"/> when another one has the base path.</summary>
    public async Task UpsertDistributionAsync(DistributionRecord distribution, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var conflict = new NpgsqlCommand(
            "select namespace || '/' || name from distributions where base_path = $1 and (namespace, name) <> ($2, $3)", connection, transaction))
        {
            conflict.AddParameters(distribution.BasePath, distribution.Namespace, distribution.Name);
            if (await conflict.ExecuteScalarAsync(cancellationToken) is string owner)
            {
                throw new BasePathConflictException($"basePath '{distribution.BasePath}' is already served by Distribution {owner}; choose another spec.basePath");
            }
        }

        await using (var upsert = new NpgsqlCommand("""
            insert into distributions (namespace, name, base_path, repository_id, version, checkpoints, guard, pull_through_remote_id, pull_through_tag_ttl)
            values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
            on conflict (namespace, name) do update set base_path = excluded.base_path, repository_id = excluded.repository_id,
                version = excluded.version, checkpoints = excluded.checkpoints, guard = excluded.guard,
                pull_through_remote_id = excluded.pull_through_remote_id, pull_through_tag_ttl = excluded.pull_through_tag_ttl, updated = now()
            where (distributions.base_path, distributions.repository_id, distributions.version, distributions.checkpoints,
                   distributions.guard, distributions.pull_through_remote_id, distributions.pull_through_tag_ttl)
               is distinct from (excluded.base_path, excluded.repository_id, excluded.version, excluded.checkpoints,
                   excluded.guard, excluded.pull_through_remote_id, excluded.pull_through_tag_ttl)
            """, connection, transaction))
        {
            upsert.AddParameters(distribution.Namespace, distribution.Name, distribution.BasePath, distribution.RepositoryId,
                (object?)distribution.Version ?? DBNull.Value, distribution.Checkpoints,
                distribution.Guard is null ? DBNull.Value : distribution.Guard.ToJson(),
                (object?)distribution.PullThroughRemoteId ?? DBNull.Value, (object?)distribution.PullThroughTagTtl ?? DBNull.Value);
            if (await upsert.ExecuteNonQueryAsync(cancellationToken) > 0)
            {
                await NotifyAsync(connection, transaction, cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task DeleteDistributionAsync(string ns, string name, CancellationToken cancellationToken) =>
        DeleteAsync("distributions", ns, name, cancellationToken);

    public Task DeleteRemoteAsync(string ns, string name, CancellationToken cancellationToken) =>
        DeleteAsync("remotes", ns, name, cancellationToken);

    private async Task DeleteAsync(string table, string ns, string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"delete from {table} where namespace = $1 and name = $2", connection, transaction);
        command.AddParameters(ns, name);
        if (await command.ExecuteNonQueryAsync(cancellationToken) > 0)
        {
            await NotifyAsync(connection, transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var notify = new NpgsqlCommand($"select pg_notify('{ChangeChannel}', 'catalog')", connection, transaction);
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<long?> IdAsync(string table, string ns, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"select id from {table} where namespace = $1 and name = $2");
        command.AddParameters(ns, name);
        return await command.ExecuteScalarAsync(cancellationToken) as long?;
    }
}
