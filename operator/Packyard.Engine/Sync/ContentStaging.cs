using Npgsql;
using Packyard.Engine.Database;
using NpgsqlTypes;
using Packyard.Engine.Downloads;
using Packyard.Engine.Versions;

namespace Packyard.Engine.Sync;

/// <summary>
/// Stages declared units in session temp tables (binary COPY), checks them, and saves them as content units with
/// their artifacts and download URLs. Used by syncs and uploads; <c>sync_candidates</c> then feeds <see cref="VersionWriter"/>.
/// </summary>
internal static class ContentStaging
{
    public const string CandidateTable = "sync_candidates";

    public static async Task CreateTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync("""
            create temp table if not exists sync_units (natural_key text not null, repo_key text not null, name text not null, version text, metadata jsonb not null);
            create temp table if not exists sync_artifacts (natural_key text not null, relative_path text not null, sha256 text not null, size bigint, url text);
            create temp table if not exists sync_candidates (content_id bigint not null);
            truncate sync_units, sync_artifacts, sync_candidates;
            """, cancellationToken);

    /// <summary>Drops the staging tables; runs even after cancellation so a pooled connection is left clean.</summary>
    public static async Task DropTablesAsync(NpgsqlConnection connection)
    {
        if (connection.State == System.Data.ConnectionState.Open)
        {
            await connection.ExecuteAsync("drop table if exists sync_units, sync_artifacts, sync_candidates", CancellationToken.None);
        }
    }

    /// <summary>
    /// Checks a declared unit: safe paths, sha256 digests, and download URLs that <paramref name="remote"/> may fetch (none at
    /// all without a remote, as for uploads).
    /// </summary>
    internal static void Validate(DeclaredContent unit, RemoteSettings? remote = null)
    {
        foreach (var artifact in unit.Artifacts)
        {
            if (artifact.Url is { } url && (remote is null ? "no Remote to download from" : remote.UrlProblem(url)) is { } refused)
            {
                throw new InvalidUpstreamMetadataException(
                    $"'{artifact.RelativePath}': refusing to download {UrlSanitizer.Sanitize(url.ToString())}: {refused}");
            }

            if (UpstreamPaths.Problem(artifact.RelativePath) is { } problem)
            {
                throw new InvalidUpstreamMetadataException($"unsafe path '{artifact.RelativePath}' in upstream metadata: {problem}");
            }

            if (!Digests.IsSha256(artifact.Sha256))
            {
                throw new InvalidUpstreamMetadataException($"'{artifact.RelativePath}': '{artifact.Sha256}' is not a sha256 digest");
            }

            if (artifact.Size is < 0)
            {
                throw new InvalidUpstreamMetadataException($"'{artifact.RelativePath}': negative size {artifact.Size}");
            }
        }
    }

    internal static async Task CopyBatchAsync(NpgsqlConnection connection, List<DeclaredContent> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await using (var units = await connection.BeginBinaryImportAsync(
            "copy sync_units (natural_key, repo_key, name, version, metadata) from stdin (format binary)", cancellationToken))
        {
            foreach (var unit in batch)
            {
                await units.StartRowAsync(cancellationToken);
                await units.WriteAsync(unit.NaturalKey, NpgsqlDbType.Text, cancellationToken);
                await units.WriteAsync(unit.RepoKey, NpgsqlDbType.Text, cancellationToken);
                await units.WriteAsync(unit.Name, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(units, unit.Version, NpgsqlDbType.Text, cancellationToken);
                await units.WriteAsync(unit.MetadataJson, NpgsqlDbType.Jsonb, cancellationToken);
            }

            await units.CompleteAsync(cancellationToken);
        }

        await using var artifacts = await connection.BeginBinaryImportAsync(
            "copy sync_artifacts (natural_key, relative_path, sha256, size, url) from stdin (format binary)", cancellationToken);
        foreach (var unit in batch)
        {
            foreach (var artifact in unit.Artifacts)
            {
                await artifacts.StartRowAsync(cancellationToken);
                await artifacts.WriteAsync(unit.NaturalKey, NpgsqlDbType.Text, cancellationToken);
                await artifacts.WriteAsync(artifact.RelativePath, NpgsqlDbType.Text, cancellationToken);
                await artifacts.WriteAsync(artifact.Sha256.ToLowerInvariant(), NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(artifacts, artifact.Size, NpgsqlDbType.Bigint, cancellationToken);
                await WriteNullableAsync(artifacts, artifact.Url?.ToString(), NpgsqlDbType.Text, cancellationToken);
            }
        }

        await artifacts.CompleteAsync(cancellationToken);
    }

    internal static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await importer.WriteNullAsync(cancellationToken);
        }
        else
        {
            await importer.WriteAsync(value, type, cancellationToken);
        }
    }

    /// <summary>Two different units for one repo_key or one path would make the version ambiguous: refuse, naming it.</summary>
    internal static async Task CheckConflictsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var command = new NpgsqlCommand(
            "select repo_key from sync_units group by repo_key having count(distinct natural_key) > 1 limit 1", connection))
        {
            if (await command.ExecuteScalarAsync(cancellationToken) is string key)
            {
                throw new InvalidUpstreamMetadataException($"upstream declares '{key}' more than once with different content");
            }
        }

        await using var paths = new NpgsqlCommand(
            "select relative_path from sync_artifacts group by relative_path having count(distinct sha256) > 1 limit 1", connection);
        if (await paths.ExecuteScalarAsync(cancellationToken) is string path)
        {
            throw new InvalidUpstreamMetadataException($"upstream declares path '{path}' more than once with different digests");
        }
    }

    /// <summary>Saves new units and their artifacts, records download URLs (without user-info: credentials are never stored in
    /// clear), and fills sync_candidates. Committed on its own:
    /// units are immutable and shared, so saving them early is harmless and lets an interrupted sync resume.</summary>
    internal static async Task SaveAsync(NpgsqlConnection connection, string type, long? remoteId, CancellationToken cancellationToken)
    {
        // Temp tables are never analysed by autovacuum: without statistics the joins below on large staged sets
        // (tens of thousands of units) can be planned as nested loops.
        await connection.ExecuteAsync("analyze sync_units", cancellationToken);
        await connection.ExecuteAsync("analyze sync_artifacts", cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync("""
            insert into content_units (type, natural_key, repo_key, name, version, metadata)
            select distinct on (natural_key) $1, natural_key, repo_key, name, version, metadata from sync_units order by natural_key
            on conflict (type, natural_key) do nothing
            """, cancellationToken, type);
        await connection.ExecuteAsync("""
            insert into sync_candidates (content_id)
            select cu.id from content_units cu where cu.type = $1 and cu.natural_key in (select natural_key from sync_units)
            """, cancellationToken, type);
        await connection.ExecuteAsync("""
            insert into content_artifacts (content_id, relative_path, sha256, size)
            select distinct on (cu.id, sa.relative_path) cu.id, sa.relative_path, sa.sha256, sa.size
            from sync_artifacts sa join content_units cu on cu.type = $1 and cu.natural_key = sa.natural_key
            order by cu.id, sa.relative_path
            on conflict (content_id, relative_path) do nothing
            """, cancellationToken, type);
        await connection.ExecuteAsync("""
            insert into remote_artifacts (content_artifact_id, remote_id, url)
            select distinct on (ca.id) ca.id, $2, regexp_replace(sa.url, '^([A-Za-z][A-Za-z0-9+.-]*://)[^@/?#]*@', '\1')
            from sync_artifacts sa
            join content_units cu on cu.type = $1 and cu.natural_key = sa.natural_key
            join content_artifacts ca on ca.content_id = cu.id and ca.relative_path = sa.relative_path
            where sa.url is not null
            order by ca.id
            on conflict (content_artifact_id, remote_id) do update set url = excluded.url
            """, cancellationToken, type, (object?)remoteId ?? DBNull.Value);
        await transaction.CommitAsync(cancellationToken);
    }
}
