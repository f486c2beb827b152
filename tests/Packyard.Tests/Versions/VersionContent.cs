using Npgsql;
using Packyard.Api.Resources;
using Packyard.Engine.Sync;
using Packyard.Engine.Versions;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Versions;

/// <summary>Builds repositories for version tests (sync, upload) and reads what a version holds straight from the database.</summary>
public static class VersionContent
{
    /// <summary>The files of <paramref name="version"/>: relative path → sha256, as the membership ranges say.</summary>
    public static async Task<SortedDictionary<string, string>> ListAsync(EngineFixture engine, long repositoryId, long version)
    {
        await using var command = engine.DataSource.CreateCommand("""
            select ca.relative_path, ca.sha256 from repository_content rc join content_artifacts ca on ca.content_id = rc.content_id
            where rc.repository_id = $1 and rc.version_added <= $2 and (rc.version_removed is null or rc.version_removed > $2)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            files.Add(reader.GetString(0), reader.GetString(1));
        }

        return files;
    }

    /// <summary>The version numbers the repository has, ascending.</summary>
    public static async Task<List<long>> NumbersAsync(EngineFixture engine, long repositoryId)
    {
        await using var command = engine.DataSource.CreateCommand("select number from repository_versions where repository_id = $1 order by number");
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        var numbers = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            numbers.Add(reader.GetInt64(0));
        }

        return numbers;
    }

    /// <summary>path → sha256 of <paramref name="files"/>, for comparing with <see cref="ListAsync"/>.</summary>
    public static SortedDictionary<string, string> Expected(params (string Path, string Content)[] files) =>
        new(files.ToDictionary(f => f.Path, f => FileUpstream.Sha256(System.Text.Encoding.UTF8.GetBytes(f.Content))), StringComparer.Ordinal);

    public static Task<long> NewRepositoryAsync(EngineFixture engine, string prefix) =>
        engine.Catalog.EnsureRepositoryAsync("default", $"{prefix}-{Guid.NewGuid():N}", "file", CancellationToken.None);

    /// <summary>A repository that mirrors <paramref name="upstream"/>; call the returned function to sync it again.</summary>
    public static async Task<(long RepositoryId, Func<Task<SyncOutcome>> Sync)> MirrorAsync(EngineFixture engine, FileUpstream upstream)
    {
        var name = $"source-{Guid.NewGuid():N}";
        var repositoryId = await engine.Catalog.EnsureRepositoryAsync("default", name, "file", CancellationToken.None);
        var (settings, remoteId) = await engine.RemoteAsync($"remote-{name}", upstream.FileUrl);
        return (repositoryId, () => engine.Get<SyncService>().SyncAsync(
            new SyncRequest(repositoryId, name, remoteId, settings, SyncMode.Mirror), null, CancellationToken.None));
    }

    /// <summary>
    /// Uploads <paramref name="content"/> at <paramref name="relativePath"/> (the file name when null); with
    /// <paramref name="replace"/> it replaces what is there, as an uploader's explicit <c>replace=true</c> does.
    /// </summary>
    public static async Task<VersionOutcome> UploadAsync(EngineFixture engine, long repositoryId, string fileName, string content, string? relativePath = null,
        bool replace = false)
    {
        var fields = new Dictionary<string, string>();
        if (replace)
        {
            fields[UploadService.ReplaceField] = "true";
        }

        if (relativePath is not null)
        {
            fields["relativePath"] = relativePath;
        }

        using var body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
        var outcome = await engine.Get<UploadService>().UploadAsync(repositoryId, $"repository {repositoryId}", "file", fileName, fields, body, CancellationToken.None);
        return outcome.Version;
    }
}
