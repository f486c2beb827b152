using System.Security.Cryptography;
using Npgsql;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Standalone;

/// <summary>
/// What a standalone user has: a manifests folder (optionally a copy of an example) and a data directory, both in
/// temp folders deleted on dispose, plus SQL helpers for checking the database packyard writes to.
/// </summary>
public sealed class StandaloneWorkspace : IDisposable
{
    private readonly TemporaryDirectory root = new();

    public StandaloneWorkspace()
    {
        Directory.CreateDirectory(Manifests);
        Directory.CreateDirectory(Data);
    }

    /// <summary>The folder given to <c>--manifests</c>.</summary>
    public string Manifests => Path.Combine(root.Path, "manifests");

    /// <summary>The folder given to <c>--data-dir</c>.</summary>
    public string Data => Path.Combine(root.Path, "data");

    /// <summary>Copies <c>examples/&lt;name&gt;</c> of the repository into <see cref="Manifests"/>.</summary>
    public StandaloneWorkspace CopyExample(string name)
    {
        Copy(Path.Combine(RepositoryRoot.Path, "examples", name), Manifests);
        return this;
    }

    public string PathOf(string relativePath) => Path.Combine(Manifests, relativePath);

    public string Read(string relativePath) => File.ReadAllText(PathOf(relativePath));

    /// <summary>Writes a file of the manifests folder through a temp file and a rename, as git checkout does.</summary>
    public void Write(string relativePath, string content)
    {
        var path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Rewrites <c>upstream/PULP_MANIFEST</c> (or another folder's) from the files in that folder.</summary>
    public void WriteUpstreamManifest(string upstream = "upstream")
    {
        var folder = PathOf(upstream);
        var lines = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Where(f => f != "PULP_MANIFEST")
            .Order(StringComparer.Ordinal)
            .Select(f =>
            {
                var bytes = File.ReadAllBytes(Path.Combine(folder, f));
                return $"{f},{Convert.ToHexStringLower(SHA256.HashData(bytes))},{bytes.Length}\n";
            });
        Write(Path.Combine(upstream, "PULP_MANIFEST"), string.Concat(lines));
    }

    /// <summary>The version numbers the database holds for repository <paramref name="name"/>, ascending.</summary>
    public static async Task<List<long>> VersionsAsync(string connectionString, string name)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            select v.number from repository_versions v join repositories r on r.id = v.repository_id
            where r.namespace = 'default' and r.name = $1 order by v.number
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        var numbers = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            numbers.Add(reader.GetInt64(0));
        }

        return numbers;
    }

    /// <summary>The number of units in the newest version of repository <paramref name="name"/>.</summary>
    public static async Task<long> CurrentContentCountAsync(string connectionString, string name)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            select count(*) from repository_content rc join repositories r on r.id = rc.repository_id
            where r.namespace = 'default' and r.name = $1 and rc.version_removed is null
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public void Dispose() => root.Dispose();

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            Copy(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }
}
