using Npgsql;
using Packyard.Engine.Database;
using Packyard.Engine.Catalog;

namespace Packyard.Server;

/// <summary>A distribution as the content app serves it; <paramref name="PullThroughTagTtl"/> null means the default.</summary>
public sealed record ServedDistribution(
    string Namespace, string Name, string BasePath, long RepositoryId, string Type, long? PinnedVersion, bool Checkpoints,
    ContentGuardRecord? Guard, long? PullThroughRemoteId, TimeSpan? PullThroughTagTtl = null, string RepositoryName = "");

/// <summary>A publication to serve from.</summary>
public sealed record ServedPublication(long Id, long RepositoryId, long Version, DateTimeOffset Created, bool PassThrough);

/// <summary>
/// The content app's view of distributions and their newest publications, loaded in one query and kept until
/// something changes: <see cref="Invalidate"/> is called in-process after catalog writes and on PostgreSQL
/// notifications from other replicas (<see cref="ChangeListener"/>), with a short expiry as a safety net.
/// </summary>
public sealed class DistributionCache(NpgsqlDataSource dataSource, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim loading = new(1, 1);
    private volatile Snapshot? snapshot;
    private long generation;

    /// <summary>Forgets everything; the next request reloads.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref generation);
        snapshot = null;
    }

    /// <summary>Finds the distribution whose base path is the longest prefix (by whole segments) of <paramref name="path"/>.</summary>
    public ValueTask<(ServedDistribution Distribution, string Remainder)?> MatchAsync(string path, CancellationToken cancellationToken)
    {
        var current = snapshot;
        return current is not null && Fresh(current)
            ? ValueTask.FromResult(Match(current, path))
            : MatchSlowAsync(path, cancellationToken);
    }

    private async ValueTask<(ServedDistribution Distribution, string Remainder)?> MatchSlowAsync(string path, CancellationToken cancellationToken) =>
        Match(await GetAsync(cancellationToken), path);

    private static (ServedDistribution Distribution, string Remainder)? Match(Snapshot current, string path)
    {
        var trimmed = path.AsSpan().TrimStart('/');
        var candidate = trimmed;
        while (true)
        {
            if (current.ByBasePathSpan.TryGetValue(candidate, out var distribution))
            {
                return (distribution, trimmed[candidate.Length..].TrimStart('/').ToString());
            }

            var slash = candidate.LastIndexOf('/');
            if (slash <= 0)
            {
                return null;
            }

            candidate = candidate[..slash];
        }
    }

    /// <summary>Every distribution with a pull-through remote, for routing by the remote's registry host.</summary>
    public async ValueTask<IReadOnlyList<ServedDistribution>> PullThroughDistributionsAsync(CancellationToken cancellationToken)
    {
        var current = snapshot is { } fresh && Fresh(fresh) ? fresh : await GetAsync(cancellationToken);
        return current.PullThrough;
    }

    /// <summary>The publication a distribution serves now: its pinned version's, or the newest.</summary>
    public ValueTask<ServedPublication?> CurrentPublicationAsync(ServedDistribution distribution, CancellationToken cancellationToken)
    {
        if (distribution.PinnedVersion is { } pinned)
        {
            return new ValueTask<ServedPublication?>(QueryPublicationAsync(
                "select id, repository_id, version, created, pass_through from publications where repository_id = $1 and version = $2",
                cancellationToken, distribution.RepositoryId, pinned));
        }

        var current = snapshot;
        return current is not null && Fresh(current)
            ? ValueTask.FromResult(current.Latest.GetValueOrDefault(distribution.RepositoryId))
            : LatestSlowAsync(distribution.RepositoryId, cancellationToken);
    }

    private async ValueTask<ServedPublication?> LatestSlowAsync(long repositoryId, CancellationToken cancellationToken) =>
        (await GetAsync(cancellationToken)).Latest.GetValueOrDefault(repositoryId);

    private bool Fresh(Snapshot current) => time.GetUtcNow() - current.Loaded < MaxAge;

    /// <summary>The newest publication created at or before <paramref name="at"/> (checkpoints).</summary>
    public Task<ServedPublication?> PublicationAtAsync(long repositoryId, DateTimeOffset at, CancellationToken cancellationToken) =>
        QueryPublicationAsync("""
            select id, repository_id, version, created, pass_through from publications
            where repository_id = $1 and created <= $2 order by created desc limit 1
            """, cancellationToken, repositoryId, at);

    private async Task<ServedPublication?> QueryPublicationAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.AddParameters(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadPublication(reader, 0) : null;
    }

    private static ServedPublication ReadPublication(NpgsqlDataReader reader, int offset) => new(
        reader.GetInt64(offset), reader.GetInt64(offset + 1), reader.GetInt64(offset + 2),
        new DateTimeOffset(reader.GetDateTime(offset + 3), TimeSpan.Zero), reader.GetBoolean(offset + 4));

    private async Task<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        var current = snapshot;
        if (current is not null && Fresh(current))
        {
            return current;
        }

        await loading.WaitAsync(cancellationToken);
        try
        {
            current = snapshot;
            if (current is not null && Fresh(current))
            {
                return current;
            }

            var startGeneration = Interlocked.Read(ref generation);
            var loaded = await LoadAsync(cancellationToken);
            // A change that arrived while loading must not be hidden by what we just read.
            if (Interlocked.Read(ref generation) == startGeneration)
            {
                snapshot = loaded;
            }

            return loaded;
        }
        finally
        {
            loading.Release();
        }
    }

    private async Task<Snapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var loadedAt = time.GetUtcNow();
        var byBasePath = new Dictionary<string, ServedDistribution>(StringComparer.Ordinal);
        var latest = new Dictionary<long, ServedPublication>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("""
            select d.namespace, d.name, d.base_path, d.repository_id, r.type, d.version, d.checkpoints, d.guard::text, d.pull_through_remote_id,
                d.pull_through_tag_ttl, r.name
            from distributions d join repositories r on r.id = d.repository_id and r.deleted is null
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var guard = reader.IsDBNull(7) ? null : ContentGuardRecord.FromJson(reader.GetString(7));
                var distribution = new ServedDistribution(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
                    reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.GetBoolean(6), guard,
                    reader.IsDBNull(8) ? null : reader.GetInt64(8), reader.IsDBNull(9) ? null : reader.GetTimeSpan(9),
                    reader.GetString(10));
                byBasePath[distribution.BasePath] = distribution;
            }
        }

        await using (var command = new NpgsqlCommand("""
            select distinct on (p.repository_id) p.id, p.repository_id, p.version, p.created, p.pass_through
            from publications p where p.repository_id in (select repository_id from distributions)
            order by p.repository_id, p.version desc
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var publication = ReadPublication(reader, 0);
                latest[publication.RepositoryId] = publication;
            }
        }

        return new Snapshot(loadedAt, byBasePath, latest);
    }

    private sealed record Snapshot(DateTimeOffset Loaded, Dictionary<string, ServedDistribution> ByBasePath, Dictionary<long, ServedPublication> Latest)
    {
        /// <summary>Lookups by a slice of the request path, without allocating a string per candidate prefix.</summary>
        public Dictionary<string, ServedDistribution>.AlternateLookup<ReadOnlySpan<char>> ByBasePathSpan { get; } =
            ByBasePath.GetAlternateLookup<ReadOnlySpan<char>>();

        public IReadOnlyList<ServedDistribution> PullThrough { get; } = [.. ByBasePath.Values.Where(d => d.PullThroughRemoteId is not null)];
    }
}
