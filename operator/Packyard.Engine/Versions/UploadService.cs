using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Database;
using Packyard.Engine.Downloads;
using Packyard.Engine.Storage;
using Packyard.Engine.Sync;

namespace Packyard.Engine.Versions;

/// <summary>An upload that created (or did not need) a version.</summary>
public sealed record UploadOutcome(VersionOutcome Version, DeclaredContent Content);

/// <summary>Stores an uploaded package, lets its content type describe it, and adds it to a new repository version.</summary>
public sealed class UploadService(NpgsqlDataSource dataSource, IArtifactStore store, ContentTypeRegistry contentTypes, ILogger<UploadService> logger)
{
    /// <summary>Stores <paramref name="body"/>, then adds it as in <see cref="UploadStoredAsync"/>.</summary>
    public async Task<UploadOutcome> UploadAsync(long repositoryId, string repositoryName, string type, string fileName,
        IReadOnlyDictionary<string, string> fields, Stream body, CancellationToken cancellationToken)
    {
        var stored = await store.PutAsync(body, null, cancellationToken);
        return await UploadStoredAsync(repositoryId, repositoryName, type, fileName, fields, stored, cancellationToken);
    }

    /// <summary>Lets the content type describe an already stored upload and adds it to a new version (Merge).</summary>
    public async Task<UploadOutcome> UploadStoredAsync(long repositoryId, string repositoryName, string type, string fileName,
        IReadOnlyDictionary<string, string> fields, StoredArtifact stored, CancellationToken cancellationToken,
        UploadBodies body = UploadBodies.Multipart, string? mediaType = null)
    {
        var plugin = contentTypes.Get(type);
        _ = plugin.UploadParser ?? throw new InvalidUploadException($"content type '{type}' does not accept uploads", 405);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Orphan cleanup (a reclaim task) waits until the upload has recorded what it references, and the upload waits for a
        // running cleanup: nothing the upload re-references is deleted under it.
        await Tasks.ReclaimLock.AcquireSharedAsync(connection, cancellationToken);
        try
        {
            return await AddAsync(connection, plugin, repositoryId, repositoryName, type, fileName, fields, stored, body, mediaType, cancellationToken);
        }
        finally
        {
            await Tasks.ReclaimLock.ReleaseSharedAsync(connection);
        }
    }

    private async Task<UploadOutcome> AddAsync(NpgsqlConnection connection, ContentTypePlugin plugin, long repositoryId, string repositoryName, string type,
        string fileName, IReadOnlyDictionary<string, string> fields, StoredArtifact stored, UploadBodies body, string? mediaType, CancellationToken cancellationToken)
    {
        var parser = plugin.UploadParser!;
        var context = new UploadContext(fileName, fields, new UploadedArtifact(stored.Sha256, stored.Size),
            async token => await store.OpenReadAsync(stored.Sha256, 0, token)
                ?? throw new InvalidOperationException($"Uploaded artifact {stored.Sha256} vanished from the store"),
            (repoKey, token) => FindCurrentAsync(connection, repositoryId, type, repoKey, token))
        {
            Body = body,
            MediaType = mediaType,
        };
        var declared = await parser.ParseAsync(context, cancellationToken);
        ContentStaging.Validate(declared);
        foreach (var artifact in declared.Artifacts)
        {
            if (UploadPaths.Problem(artifact.RelativePath, plugin.ReservedPaths ?? []) is { } problem)
            {
                throw new InvalidUploadException($"'{artifact.RelativePath}' is not allowed: {problem}");
            }
        }

        var replace = fields.TryGetValue(ReplaceField, out var replaceValue) && string.Equals(replaceValue, "true", StringComparison.OrdinalIgnoreCase);
        await RefuseReplacementAsync(connection, repositoryId, type, declared, replace, cancellationToken);
        // The row only now: a refused upload leaves a blob no row references, which orphan cleanup sweeps.
        await connection.ExecuteAsync("insert into artifacts (sha256, size) values ($1, $2) on conflict do nothing",
            cancellationToken, stored.Sha256, stored.Size);

        await ContentStaging.CreateTablesAsync(connection, cancellationToken);
        try
        {
            await ContentStaging.CopyBatchAsync(connection, [declared], cancellationToken);
            await ContentStaging.SaveAsync(connection, type, null, cancellationToken);
            var outcome = await VersionWriter.CreateAsync(connection, repositoryId, ContentStaging.CandidateTable, VersionMode.Merge, "upload", cancellationToken);
            if (outcome.Created)
            {
                EngineLog.VersionCreated(logger, repositoryName, outcome.Version, outcome.Added, outcome.Removed);
            }

            return new UploadOutcome(outcome, declared);
        }
        finally
        {
            await ContentStaging.DropTablesAsync(connection);
        }
    }

    /// <summary>The form field that asks for a replacement explicitly (aptly's <c>-force-replace</c>): <c>replace=true</c>.</summary>
    public const string ReplaceField = "replace";

    /// <summary>
    /// An upload adds; it never silently replaces. A unit with the same identity (the type's repo key: path, file name,
    /// name-version-architecture) but other content, or another file already served at one of its paths, is a 409.
    /// The same file again is not a replacement (the version stays as it is). With <paramref name="replace"/> (the
    /// uploader's explicit <c>replace=true</c>) the unit of the same identity is replaced, and only its own paths may be
    /// taken over.
    /// </summary>
    private static async Task RefuseReplacementAsync(NpgsqlConnection connection, long repositoryId, string type, DeclaredContent declared,
        bool replace, CancellationToken cancellationToken)
    {
        if (!replace && await FindCurrentAsync(connection, repositoryId, type, declared.RepoKey, cancellationToken) is { } existing && existing != declared.NaturalKey)
        {
            throw new InvalidUploadException(
                $"{Describe(declared)} already exists in this repository with different content; upload it under a new version, "
                + $"or send the form field {ReplaceField}=true to replace it", 409);
        }

        await using var command = new NpgsqlCommand(
            """
            select ca.relative_path, ca.sha256 from content_artifacts ca
            join repository_content rc on rc.content_id = ca.content_id and rc.repository_id = $1 and rc.version_removed is null
            join content_units u on u.id = ca.content_id
            where ca.relative_path = any($2) and not ($3 and u.type = $4 and u.repo_key = $5)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        command.Parameters.Add(new NpgsqlParameter { Value = declared.Artifacts.Select(a => a.RelativePath).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = replace });
        command.Parameters.Add(new NpgsqlParameter { Value = type });
        command.Parameters.Add(new NpgsqlParameter { Value = declared.RepoKey });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var path = reader.GetString(0);
            var sha256 = reader.GetString(1);
            if (declared.Artifacts.Any(a => a.RelativePath == path && !string.Equals(a.Sha256, sha256, StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidUploadException(
                    $"{Describe(declared)}: another file is already served at '{path}' in this repository; upload it under a new version, or at another path", 409);
            }
        }
    }

    private static string Describe(DeclaredContent declared) =>
        declared.Version is null ? $"'{declared.RepoKey}'" : $"{declared.Name} {declared.Version} ({declared.RepoKey})";

    private static async Task<string?> FindCurrentAsync(NpgsqlConnection connection, long repositoryId, string type, string repoKey, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            select u.natural_key from repository_content rc join content_units u on u.id = rc.content_id
            where rc.repository_id = $1 and rc.version_removed is null and u.type = $2 and u.repo_key = $3
            limit 1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        command.Parameters.Add(new NpgsqlParameter { Value = type });
        command.Parameters.Add(new NpgsqlParameter { Value = repoKey });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
