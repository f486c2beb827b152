using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using Packyard.Engine.Database;

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

    /// <summary>The Last-Modified header value (RFC 1123).</summary>
    public string LastModifiedHeader { get; } = LastModified.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Finds what a publication serves at a path. Publications are immutable, so answers for stored files are cached
/// (bounded); answers for artifacts not yet fetched (OnDemand) are not, since they change when fetched.
/// </summary>
public sealed class FileLookup(NpgsqlDataSource dataSource, IMemoryCache cache, Packyard.Engine.Storage.IArtifactStore store)
{
    public async Task<ServedFile?> FindAsync(ServedPublication publication, string path, CancellationToken cancellationToken)
    {
        var key = (publication.Id, path);
        if (cache.TryGetValue(key, out ServedFile? cached))
        {
            return cached;
        }

        var found = await QueryAsync(publication, path, cancellationToken);
        if (found is { Stored: true })
        {
            found = found with { LocalPath = store.TryGetLocalPath(found.Sha256) };
            cache.Set(key, found, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(10) });
        }

        return found;
    }

    /// <summary>Forgets a path's answer (after an on-demand fetch stored its artifact).</summary>
    public void Forget(ServedPublication publication, string path) => cache.Remove((publication.Id, path));

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
