using System.Text.RegularExpressions;
using Npgsql;
using Packyard.Engine.Database;
using NpgsqlTypes;
using Packyard.Api.Resources;
using Packyard.Engine.Versions;

namespace Packyard.Engine.Promotions;

/// <summary>The result of a promotion: the source version used and what happened to the target.</summary>
public sealed record PromotionOutcome(long SourceVersion, VersionOutcome Target);

/// <summary>A source version that does not exist (never created, or pruned).</summary>
public sealed class SourceVersionNotFoundException(string message) : Exception(message);

/// <summary>
/// Copies the selected units of a source repository version into a target repository as a new version (Merge
/// or Replace). Idempotent: when the target already holds the selection, no version is created.
/// </summary>
public sealed class PromotionService(NpgsqlDataSource dataSource, ContentTypeRegistry contentTypes)
{
    public async Task<PromotionOutcome> PromoteAsync(long sourceRepositoryId, long? sourceVersion, long targetRepositoryId, string type,
        PromotionSelect? select, PromotionMode mode, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var version = sourceVersion ?? await connection.ScalarAsync<long>("select latest_version from repositories where id = $1", cancellationToken, sourceRepositoryId);
        var exists = await connection.ScalarAsync<long>("select count(*) from repository_versions where repository_id = $1 and number = $2", cancellationToken, sourceRepositoryId, version);
        if (exists == 0)
        {
            throw new SourceVersionNotFoundException($"source version {version} does not exist (it may have been pruned by retainVersions); check spec.sourceVersion");
        }

        await connection.ExecuteAsync("create temp table if not exists promote_candidates (content_id bigint not null); truncate promote_candidates", cancellationToken);
        try
        {
            var names = select?.Names is { Count: > 0 } n ? n.ToArray() : null;
            var paths = select?.Paths is { Count: > 0 } p ? p.Select(GlobToRegex).ToArray() : null;
            var selector = contentTypes.TryGet(type, out var plugin) ? plugin.Selector : null;
            if (selector is not null && names is not null)
            {
                await SelectWithPluginAsync(connection, sourceRepositoryId, version, names, paths, selector, cancellationToken);
            }
            else
            {
                await using var command = new NpgsqlCommand("""
                    insert into promote_candidates (content_id)
                    select cu.id from repository_content rc join content_units cu on cu.id = rc.content_id
                    where rc.repository_id = $1 and rc.version_added <= $2 and (rc.version_removed is null or rc.version_removed > $2)
                      and ($3::text[] is null or cu.name = any($3) or cu.repo_key = any($3))
                      and ($4::text[] is null or exists (select 1 from content_artifacts ca where ca.content_id = cu.id and ca.relative_path ~ any($4)))
                    """, connection);
                command.Parameters.Add(new NpgsqlParameter { Value = sourceRepositoryId });
                command.Parameters.Add(new NpgsqlParameter { Value = version });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)names ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)paths ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            var versionMode = mode == PromotionMode.Replace ? VersionMode.Replace : VersionMode.Merge;
            var outcome = await VersionWriter.CreateAsync(connection, targetRepositoryId, "promote_candidates", versionMode, "promotion", cancellationToken);
            return new PromotionOutcome(version, outcome);
        }
        finally
        {
            await connection.ExecuteAsync("drop table if exists promote_candidates", CancellationToken.None);
        }
    }

    private static async Task SelectWithPluginAsync(NpgsqlConnection connection, long repositoryId, long version, string[] names,
        string[]? paths, IContentSelector selector, CancellationToken cancellationToken)
    {
        var selected = new List<long>();
        await using (var command = new NpgsqlCommand("""
            select cu.id, cu.name, cu.version from repository_content rc join content_units cu on cu.id = rc.content_id
            where rc.repository_id = $1 and rc.version_added <= $2 and (rc.version_removed is null or rc.version_removed > $2)
              and ($3::text[] is null or exists (select 1 from content_artifacts ca where ca.content_id = cu.id and ca.relative_path ~ any($3)))
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
            command.Parameters.Add(new NpgsqlParameter { Value = version });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)paths ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(1);
                var unitVersion = reader.IsDBNull(2) ? null : reader.GetString(2);
                if (names.Any(s => selector.Matches(s, name, unitVersion)))
                {
                    selected.Add(reader.GetInt64(0));
                }
            }
        }

        await using var import = await connection.BeginBinaryImportAsync("copy promote_candidates (content_id) from stdin (format binary)", cancellationToken);
        foreach (var id in selected)
        {
            await import.WriteRowAsync(cancellationToken, id);
        }

        await import.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Glob on relative paths, as gitignore and bash globstar read it: <c>*</c> and <c>?</c> within a segment,
    /// <c>**/</c> zero or more folders (so <c>**/*.txt</c> matches a top-level <c>a.txt</c>), a bare <c>**</c> anything.
    /// </summary>
    internal static string GlobToRegex(string glob)
    {
        const string anyFolders = "\u0001", anything = "\u0002";
        var pattern = Regex.Escape(glob)
            .Replace(@"\*\*/", anyFolders, StringComparison.Ordinal)
            .Replace(@"\*\*", anything, StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal)
            .Replace(anyFolders, "(.*/)?", StringComparison.Ordinal)
            .Replace(anything, ".*", StringComparison.Ordinal);
        return "^" + pattern + "$";
    }
}
