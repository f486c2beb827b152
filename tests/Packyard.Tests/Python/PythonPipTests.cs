namespace Packyard.Tests.Python;

/// <summary>Real pip (Debian's python3 in a fresh venv) against a Packyard distribution synced from a local PEP 503 index.</summary>
public sealed class PythonPipTests(PythonFixture app) : IClassFixture<PythonFixture>
{
    private async Task<(PythonIndexUpstream Upstream, SimpleTree Tree)> UpstreamAsync(bool json = false)
    {
        var tree = new SimpleTree(app.NewFolder("upstream"));
        var build = tree.Packages;
        tree.Add("app-core", PythonPackage.Wheel(build, "app-core", "1.0", ["helper-lib>=2.0", "Tiny_Util"]))
            .Add("helper-lib", PythonPackage.Wheel(build, "helper-lib", "1.0"))
            .Add("helper-lib", PythonPackage.Wheel(build, "helper-lib", "2.0"), requiresPython: ">=3.7")
            .Add("helper-lib", PythonPackage.Wheel(build, "helper-lib", "2.1rc1"))
            .Add("tiny-util", PythonPackage.Wheel(build, "Tiny_Util", "0.5"))
            .Add("tiny-util", PythonPackage.Sdist(build, "tiny_util", "0.5"))
            .Write(json);
        return (await PythonIndexUpstream.StartAsync(tree.Root), tree);
    }

    [Fact]
    public async Task Pip_installs_a_project_and_its_dependencies_from_a_synced_index()
    {
        var (upstream, _) = await UpstreamAsync();
        await using var _ = upstream;
        var repository = await app.PythonRepositoryAsync();
        await app.SyncAsync(repository, upstream.Url);

        var target = app.NewFolder("site");
        var (code, output) = await app.PipWithIndexAsync(repository.BasePath, "install", "--target", target, "app-core");

        Assert.True(code == 0, output);
        Assert.True(Directory.Exists(Path.Combine(target, "app_core")), output);
        Assert.Contains("VERSION = \"2.0\"", await File.ReadAllTextAsync(Path.Combine(target, "helper_lib", "__init__.py")));
        Assert.True(Directory.Exists(Path.Combine(target, "tiny_util")), output);
    }

    [Fact]
    public async Task Pip_download_with_required_hashes_succeeds_from_a_PEP_691_upstream()
    {
        var (upstream, tree) = await UpstreamAsync(json: true);
        await using var _ = upstream;
        var repository = await app.PythonRepositoryAsync();
        await app.SyncAsync(repository, upstream.Url);

        var files = Path.Combine(tree.Root, "files");
        var requirements = Path.Combine(app.NewFolder("req"), "requirements.txt");
        await File.WriteAllLinesAsync(requirements,
        [
            $"app-core==1.0 --hash=sha256:{PythonPackage.Sha256(Path.Combine(files, "app_core-1.0-py3-none-any.whl"))}",
            $"helper-lib==2.0 --hash=sha256:{PythonPackage.Sha256(Path.Combine(files, "helper_lib-2.0-py3-none-any.whl"))}",
            $"tiny-util==0.5 --hash=sha256:{PythonPackage.Sha256(Path.Combine(files, "Tiny_Util-0.5-py3-none-any.whl"))}",
        ]);
        var destination = app.NewFolder("download");
        var (code, output) = await app.PipWithIndexAsync(repository.BasePath, "download", "--only-binary", ":all:", "--require-hashes", "-r", requirements, "-d", destination);

        Assert.True(code == 0, output);
        Assert.Equal(["Tiny_Util-0.5-py3-none-any.whl", "app_core-1.0-py3-none-any.whl", "helper_lib-2.0-py3-none-any.whl"],
            Directory.GetFiles(destination).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains(upstream.AcceptHeaders, accept => accept.StartsWith("application/vnd.pypi.simple.v1+json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pip_refuses_a_file_whose_hash_does_not_match_the_pinned_one()
    {
        var (upstream, _) = await UpstreamAsync();
        await using var _ = upstream;
        var repository = await app.PythonRepositoryAsync();
        await app.SyncAsync(repository, upstream.Url);

        var requirements = Path.Combine(app.NewFolder("req"), "requirements.txt");
        await File.WriteAllTextAsync(requirements, $"helper-lib==1.0 --hash=sha256:{new string('0', 64)}\n");
        var (code, output) = await app.PipWithIndexAsync(repository.BasePath, "download", "--no-deps", "--require-hashes", "-r", requirements, "-d", app.NewFolder("download"));

        Assert.NotEqual(0, code);
        Assert.Contains("THESE PACKAGES DO NOT MATCH THE HASHES", output, StringComparison.Ordinal);
    }
}
