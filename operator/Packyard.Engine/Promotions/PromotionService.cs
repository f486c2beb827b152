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
/// Copies the selected units of a source repository version, with what they need (<see cref="IContentDependencies"/>), into a
/// target repository as one new version (Merge or Replace). A name or selection matching nothing fails. Idempotent: when the
/// target already holds the selection, no version is created.
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
            contentTypes.TryGet(type, out var plugin);
            string[] unmatched;
            if (plugin?.Selector is { } selector && names is not null)
            {
                unmatched = await SelectWithPluginAsync(connection, sourceRepositoryId, version, names, paths, selector, cancellationToken);
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
                unmatched = names is null ? [] : await UnmatchedNamesAsync(connection, sourceRepositoryId, version, names, cancellationToken);
            }

            if (names is not null || paths is not null)
            {
                await CheckSelectionAsync(connection, version, unmatched, cancellationToken);
            }

            if (plugin?.Dependencies is { } dependencies)
            {
                await AddDependenciesAsync(connection, sourceRepositoryId, version, dependencies, cancellationToken);
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

    /// <summary>Fills promote_candidates with the units <paramref name="selector"/> matches; returns the names that match no unit (paths aside).</summary>
    private static async Task<string[]> SelectWithPluginAsync(NpgsqlConnection connection, long repositoryId, long version, string[] names,
        string[]? paths, IContentSelector selector, CancellationToken cancellationToken)
    {
        var selected = new List<long>();
        var matched = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""
            select cu.id, cu.name, cu.version,
                   $3::text[] is null or exists (select 1 from content_artifacts ca where ca.content_id = cu.id and ca.relative_path ~ any($3))
            from repository_content rc join content_units cu on cu.id = rc.content_id
            where rc.repository_id = $1 and rc.version_added <= $2 and (rc.version_removed is null or rc.version_removed > $2)
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
                var any = false;
                foreach (var s in names.Where(s => selector.Matches(s, name, unitVersion)))
                {
                    matched.Add(s);
                    any = true;
                }

                if (any && reader.GetBoolean(3))
                {
                    selected.Add(reader.GetInt64(0));
                }
            }
        }

        await WriteCandidatesAsync(connection, selected, cancellationToken);
        return [.. names.Where(s => !matched.Contains(s))];
    }

    /// <summary>The names that match no unit's name or repo key in the version.</summary>
    private static async Task<string[]> UnmatchedNamesAsync(NpgsqlConnection connection, long repositoryId, long version, string[] names, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            select s from unnest($3::text[]) s
            where not exists (select 1 from repository_content rc join content_units cu on cu.id = rc.content_id
                              where rc.repository_id = $1 and rc.version_added <= $2 and (rc.version_removed is null or rc.version_removed > $2)
                                and (cu.name = s or cu.repo_key = s))
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        command.Parameters.Add(new NpgsqlParameter { Value = names, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        var unmatched = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            unmatched.Add(reader.GetString(0));
        }

        return [.. unmatched];
    }

    /// <summary>Fails the promotion when a name matches nothing, or the whole selection does: a typo must not pass as "nothing to promote".</summary>
    private static async Task CheckSelectionAsync(NpgsqlConnection connection, long version, string[] unmatched, CancellationToken cancellationToken)
    {
        if (unmatched.Length > 0)
        {
            throw new NothingSelectedException(
                $"spec.select.names: {string.Join(", ", unmatched.Select(s => $"'{s}'"))} {(unmatched.Length == 1 ? "matches" : "match")} nothing in source version {version}");
        }

        if (await connection.ScalarAsync<long>("select count(*) from promote_candidates", cancellationToken) == 0)
        {
            throw new NothingSelectedException($"spec.select matches nothing in source version {version}");
        }
    }

    /// <summary>
    /// Adds to promote_candidates what the selection needs beside it (<see cref="IContentDependencies"/>): the units it requires and
    /// those accompanying it, transitively, as far as the source version holds them. One pass over the version's units.
    /// </summary>
    private static async Task AddDependenciesAsync(NpgsqlConnection connection, long repositoryId, long version, IContentDependencies dependencies,
        CancellationToken cancellationToken)
    {
        var units = new Dictionary<long, (string Key, UnitDependencies Links)>();
        var byKey = new Dictionary<string, long>(StringComparer.Ordinal);
        var accompaniedBy = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""
            select cu.id, cu.natural_key, cu.name, cu.metadata::text from repository_content rc join content_units cu on cu.id = rc.content_id
            where rc.repository_id = $1 and rc.version_added <= $2 and (rc.version_removed is null or rc.version_removed > $2)
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
            command.Parameters.Add(new NpgsqlParameter { Value = version });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (id, key) = (reader.GetInt64(0), reader.GetString(1));
                var links = dependencies.Of(key, reader.GetString(2), reader.GetString(3));
                units[id] = (key, links);
                byKey[key] = id;
                foreach (var subject in links.Accompanies)
                {
                    (accompaniedBy.TryGetValue(subject, out var list) ? list : accompaniedBy[subject] = []).Add(id);
                }
            }
        }

        var carried = new HashSet<long>();
        await using (var command = new NpgsqlCommand("select distinct content_id from promote_candidates", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                carried.Add(reader.GetInt64(0));
            }
        }

        var added = new List<long>();
        var pending = new Queue<long>(carried);
        while (pending.TryDequeue(out var id))
        {
            if (!units.TryGetValue(id, out var unit))
            {
                continue;
            }

            var next = unit.Links.Requires.Select(k => byKey.TryGetValue(k, out var required) ? required : (long?)null).OfType<long>()
                .Concat(accompaniedBy.TryGetValue(unit.Key, out var companions) ? companions : []);
            foreach (var other in next)
            {
                if (carried.Add(other))
                {
                    added.Add(other);
                    pending.Enqueue(other);
                }
            }
        }

        await WriteCandidatesAsync(connection, added, cancellationToken);
    }

    private static async Task WriteCandidatesAsync(NpgsqlConnection connection, List<long> ids, CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync("copy promote_candidates (content_id) from stdin (format binary)", cancellationToken);
        foreach (var id in ids)
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
