using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Deb;

/// <summary>
/// A real apt-get with its own configuration, sources list, state, cache and signed-by keyring (APT_CONFIG), so the
/// machine's apt is never touched.
/// </summary>
internal sealed class AptClient : IDisposable
{
    private readonly TemporaryDirectory folder = new();

    public AptClient(string sourcesLine, byte[] binaryKeyring)
        : this(sourcesLine, binaryKeyring, sourcesFile: null)
    {
    }

    private AptClient(string sourcesLine, byte[] binaryKeyring, string? sourcesFile)
    {
        foreach (var directory in new[] { "apt.conf.d", "trusted.gpg.d", "sources.list.d", "state/lists/partial", "cache/archives/partial", "downloads" })
        {
            Directory.CreateDirectory(Path.Combine(folder.Path, directory));
        }

        File.WriteAllBytes(Path.Combine(folder.Path, "packyard.gpg"), binaryKeyring);
        File.WriteAllText(Path.Combine(folder.Path, "status"), "");
        File.WriteAllText(Path.Combine(folder.Path, "sources.list"), sourcesLine.Replace("KEYRING", Path.Combine(folder.Path, "packyard.gpg"), StringComparison.Ordinal) + "\n");
        if (sourcesFile is not null)
        {
            File.WriteAllText(Path.Combine(folder.Path, "sources.list.d", "packyard.sources"), sourcesFile);
        }

        File.WriteAllText(ConfigPath, $"""
            Dir::Etc::main "/dev/null";
            Dir::Etc::parts "{folder.Path}/apt.conf.d";
            Dir::Etc::sourcelist "{folder.Path}/sources.list";
            Dir::Etc::sourceparts "{folder.Path}/sources.list.d";
            Dir::Etc::trusted "/dev/null";
            Dir::Etc::trustedparts "{folder.Path}/trusted.gpg.d";
            Dir::State "{folder.Path}/state";
            Dir::State::status "{folder.Path}/status";
            Dir::Cache "{folder.Path}/cache";
            Debug::NoLocking "true";
            APT::Architecture "amd64";
            APT::Architectures "amd64";
            APT::Sandbox::User "root";
            Acquire::Retries "0";

            """);
    }

    /// <summary>An apt whose only source is a deb822 <paramref name="sourcesFile"/> (with its key inline or Trusted), no keyring of its own.</summary>
    public static AptClient WithSourcesFile(string sourcesFile) => new("", [], sourcesFile);

    private string ConfigPath => Path.Combine(folder.Path, "apt.conf");

    public string Downloads => Path.Combine(folder.Path, "downloads");

    public Task<string> RunAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("apt-get", arguments, workingDirectory: Downloads, environment: new Dictionary<string, string> { ["APT_CONFIG"] = ConfigPath });

    /// <summary>
    /// <c>apt-get update</c> finishes without a warning or an error, then <c>apt-get download <paramref name="package"/></c> leaves
    /// <paramref name="file"/> in <see cref="Downloads"/>.
    /// </summary>
    public async Task UpdateAndDownloadAsync(string package, string file)
    {
        var update = await RunAsync("update");
        Assert.DoesNotContain("\nW:", "\n" + update);
        Assert.DoesNotContain("\nE:", "\n" + update);
        await RunAsync("download", package);
        Assert.True(File.Exists(System.IO.Path.Combine(Downloads, file)), $"apt downloaded {file}");
    }

    public void Dispose() => folder.Dispose();
}
