using System.Collections.Concurrent;
using Microsoft.Net.Http.Headers;
using Npgsql;
using Packyard.Engine.Database;
using Packyard.Engine.Storage;

namespace Packyard.Server;

/// <summary>
/// A file a publication serves: published metadata or a pass-through content artifact. Header values are computed
/// once per cached file; <see cref="LocalPath"/> is set when the blob is a local file (filesystem store).
/// </summary>
public sealed record ServedFile(string Sha256, long? Size, string? MediaType, DateTimeOffset LastModified, bool Stored, long? ContentArtifactId)
{
    public string? LocalPath { get; init; }

    /// <summary>The ETag header value: the quoted sha256.</summary>
    public string ETag { get; } = $"\"{Sha256}\"";

    /// <summary>The ETag as a parsed header value, for ASP.NET Core's conditional and range handling.</summary>
    public EntityTagHeaderValue EntityTag => entityTag ??= new EntityTagHeaderValue(ETag);

    /// <summary>The Last-Modified header value (RFC 1123).</summary>
    public string LastModifiedHeader { get; } = LastModified.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private EntityTagHeaderValue? entityTag;
}

/// <summary>Bounds of the content app's in-memory caches.</summary>
public sealed class ServingCacheOptions
{
    /// <summary>Path answers kept for all publications together; past it, the answers are dropped and re-learned.</summary>
    public int MaxPathEntries { get; set; } = 200_000;

    /// <summary>Files up to this size are kept in memory once served (by digest).</summary>
    public int MaxSmallFileBytes { get; set; } = 64 * 1024;

    /// <summary>Total bytes of small files kept in memory.</summary>
    public long SmallFileCacheBytes { get; set; } = 64L * 1024 * 1024;
}

/// <summary>
/// Finds what a publication serves at a path. Publications are immutable, so answers (present or absent) are kept in
/// memory per publication, bounded in count; answers for artifacts not yet fetched (OnDemand) are not, since they
/// change when fetched. <see cref="ChangeListener"/> calls <see cref="Invalidate"/> when publications change, so the
/// answers of superseded publications do not linger.
/// </summary>
public sealed class FileLookup(NpgsqlDataSource dataSource, IArtifactStore store, ServingCacheOptions options)
{
    private static readonly ServedFile Absent = new("", null, null, DateTimeOffset.MinValue, Stored: false, null);
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<string, ServedFile>> publications = new();
    private int entries;

    /// <summary>The file at <paramref name="path"/>, or null. Completes synchronously when the answer is cached.</summary>
    public ValueTask<ServedFile?> FindAsync(ServedPublication publication, string path, CancellationToken cancellationToken)
    {
        if (publications.TryGetValue(publication.Id, out var paths) && paths.TryGetValue(path, out var cached))
        {
            return ValueTask.FromResult(ReferenceEquals(cached, Absent) ? null : cached);
        }

        return new ValueTask<ServedFile?>(LoadAsync(publication, path, cancellationToken));
    }

    /// <summary>Forgets a path's answer (after an on-demand fetch stored its artifact).</summary>
    public void Forget(ServedPublication publication, string path)
    {
        if (publications.TryGetValue(publication.Id, out var paths) && paths.TryRemove(path, out _))
        {
            Interlocked.Decrement(ref entries);
        }
    }

    /// <summary>Drops every cached answer: called when publications change (new, deleted, or a distribution moved).</summary>
    public void Invalidate()
    {
        publications.Clear();
        Interlocked.Exchange(ref entries, 0);
    }

    private async Task<ServedFile?> LoadAsync(ServedPublication publication, string path, CancellationToken cancellationToken)
    {
        var found = await QueryAsync(publication, path, cancellationToken);
        if (found is { Stored: false })
        {
            return found;
        }

        if (found is not null)
        {
            found = found with { LocalPath = store.TryGetLocalPath(found.Sha256) };
        }

        if (Interlocked.Increment(ref entries) > options.MaxPathEntries)
        {
            Invalidate();
            Interlocked.Increment(ref entries);
        }

        publications.GetOrAdd(publication.Id, static _ => new ConcurrentDictionary<string, ServedFile>(StringComparer.Ordinal))[path] = found ?? Absent;
        return found;
    }

    private async Task<ServedFile?> QueryAsync(ServedPublication publication, string path, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var published = new NpgsqlCommand(
            "select sha256, size, media_type from published_files where publication_id = $1 and relative_path = $2", connection))
        {
            published.AddParameters(publication.Id, path);
            await using var reader = await published.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return new ServedFile(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), publication.Created, Stored: true, null);
            }
        }

        if (!publication.PassThrough)
        {
            return null;
        }

        await using var artifact = new NpgsqlCommand("""
            select ca.sha256, coalesce(a.size, ca.size), a.created, ca.id
            from content_artifacts ca
            join repository_content rc on rc.content_id = ca.content_id
            left join artifacts a on a.sha256 = ca.sha256
            where ca.relative_path = $1 and rc.repository_id = $2
              and rc.version_added <= $3 and (rc.version_removed is null or rc.version_removed > $3)
            limit 1
            """, connection);
        artifact.AddParameters(path, publication.RepositoryId, publication.Version);
        await using (var reader = await artifact.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                var stored = !reader.IsDBNull(2);
                return new ServedFile(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), null,
                    stored ? new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero) : publication.Created, stored, reader.GetInt64(3));
            }
        }

        return null;
    }
}
