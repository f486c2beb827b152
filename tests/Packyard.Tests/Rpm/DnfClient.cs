using Packyard.Tests.Deb;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Rpm;

/// <summary>
/// Real dnf against one repository URL, isolated from the machine: its own install root, cache and no system repos, with
/// gpgcheck and repo_gpgcheck on (trusting <paramref name="repositoryKey"/> for repomd.xml and <paramref name="packageKey"/>
/// for packages; <paramref name="repoGpgCheck"/> false for unsigned publications). Stops the gpg-agents dnf leaves behind.
/// </summary>
internal sealed class DnfClient(Uri baseUrl, byte[] repositoryKey, byte[] packageKey, bool repoGpgCheck = true) : IDisposable
{
    private readonly TemporaryDirectory folder = new();

    public string InstallRoot => Path.Combine(folder.Path, "root");

    public string Downloads => Path.Combine(folder.Path, "downloads");

    /// <summary>Runs dnf with <paramref name="arguments"/>; returns its standard output and error.</summary>
    public Task<string> RunAsync(params string[] arguments) => RunAsync(arguments, null);

    /// <summary>Runs dnf with <paramref name="arguments"/>; returns only its standard output (no key import or progress messages).</summary>
    public async Task<string> QueryAsync(params string[] arguments)
    {
        var output = Path.Combine(folder.Path, "stdout.txt");
        await RunAsync(arguments, output);
        return await File.ReadAllTextAsync(output);
    }

    private async Task<string> RunAsync(string[] arguments, string? standardOutputFile)
    {
        Directory.CreateDirectory(InstallRoot);
        Directory.CreateDirectory(Downloads);
        var repositoryKeyFile = Path.Combine(folder.Path, "repository.asc");
        var packageKeyFile = Path.Combine(folder.Path, "packages.asc");
        await File.WriteAllBytesAsync(repositoryKeyFile, repositoryKey);
        await File.WriteAllBytesAsync(packageKeyFile, packageKey);
        return await ProcessRunner.RunAsync("dnf", [
            "-y", "-q", $"--installroot={InstallRoot}", "--releasever=12", "--setopt=reposdir=/dev/null",
            $"--setopt=cachedir={Path.Combine(folder.Path, "cache")}", $"--setopt=logdir={folder.Path}", "--setopt=install_weak_deps=0",
            $"--repofrompath=packyard,{baseUrl}", "--repo=packyard", "--setopt=packyard.gpgcheck=1", $"--setopt=packyard.repo_gpgcheck={(repoGpgCheck ? 1 : 0)}",
            $"--setopt=packyard.gpgkey=file://{repositoryKeyFile},file://{packageKeyFile}", .. arguments], workingDirectory: Downloads,
            standardOutputFile: standardOutputFile);
    }

    public void Dispose()
    {
        foreach (var home in Directory.Exists(Path.Combine(folder.Path, "cache"))
            ? Directory.GetDirectories(Path.Combine(folder.Path, "cache"), "pubring", SearchOption.AllDirectories) : [])
        {
            ProcessRunner.RunAsync("gpgconf", ["--homedir", home, "--kill", "gpg-agent"], check: false).GetAwaiter().GetResult();
        }

        folder.Dispose();
    }
}
