using System.Net;
using System.Security.Cryptography;

namespace Packyard.Tests.Deb;

public sealed class DebByHashTests(DebFixture fixture) : IClassFixture<DebFixture>
{
    [Fact]
    public async Task Client_holding_the_previous_InRelease_still_fetches_its_indices_by_hash_after_a_new_publication()
    {
        await using var hello = await HelloDistribution.CreateAsync(fixture, "byhash");
        var basePath = hello.BasePath;
        const string options = """{"byHash":true,"byHashRetention":"0s"}""";

        await hello.SyncAndPublishAsync(options);
        var first = await IndexHashAsync(basePath);

        await hello.AddUpstreamPackageAsync("tree", "2.1.0-1");
        await hello.SyncAndPublishAsync(options);
        var second = await IndexHashAsync(basePath);
        Assert.NotEqual(first, second);

        // The previous publication's indices stay reachable by hash, whatever the retention: clients may hold its InRelease.
        Assert.Equal(first, await FetchByHashAsync(basePath, first));
        Assert.Equal(second, await FetchByHashAsync(basePath, second));

        await hello.AddUpstreamPackageAsync("jq", "1.6-2.1");
        await hello.SyncAndPublishAsync(options);

        // Two publications back and past the (zero) retention: gone; the previous one is still there.
        using var gone = await fixture.Http.GetAsync($"/{basePath}/dists/bookworm/main/binary-amd64/by-hash/SHA256/{first}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(second, await FetchByHashAsync(basePath, second));
    }

    [Fact]
    public async Task By_hash_indices_of_earlier_publications_are_kept_within_the_retention_window()
    {
        await using var hello = await HelloDistribution.CreateAsync(fixture, "byhash");
        var basePath = hello.BasePath;

        var hashes = new List<string>();
        foreach (var package in new[] { "tree", "jq", "curl" })
        {
            await hello.SyncAndPublishAsync("""{"byHashRetention":"1h"}""");
            hashes.Add(await IndexHashAsync(basePath));
            await hello.AddUpstreamPackageAsync(package, "1.0-1");
        }

        foreach (var hash in hashes)
        {
            Assert.Equal(hash, await FetchByHashAsync(basePath, hash));
        }
    }

    [Fact]
    public async Task Client_holding_the_previous_InRelease_fetches_consistent_indices_by_hash_while_and_after_a_new_version_is_published()
    {
        await using var hello = await HelloDistribution.CreateAsync(fixture, "byhash");
        var (upstream, repository, basePath) = (hello.Upstream, hello.Repository, hello.BasePath);
        const string options = """{"byHash":true,"byHashRetention":"0s"}""";
        await hello.SyncAndPublishAsync(options);

        // A client reads the current InRelease, then is slow to fetch the indices it lists.
        var heldInRelease = await fixture.Http.GetStringAsync($"/{basePath}/dists/bookworm/InRelease");
        var listed = ListedIndices(heldInRelease);
        Assert.Contains("main/binary-amd64/Packages.xz", listed.Keys);
        Assert.Contains("main/binary-amd64/Release", listed.Keys);

        await hello.AddUpstreamPackageAsync("tree", "2.1.0-1");
        var next = await repository.SyncAsync();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Hooks.BeforeCommitAsync = async (repositoryId, _, token) =>
        {
            if (repositoryId == repository.Id)
            {
                held.SetResult();
                await resume.Task.WaitAsync(TimeSpan.FromMinutes(2), token);
            }
        };
        try
        {
            var publishing = repository.PublishAsync(next.Version, upstream.SecretKey, options);
            await held.Task.WaitAsync(TimeSpan.FromMinutes(2));

            // Mid-publish: every new file is stored, the new publication is not visible yet.
            fixture.Distributions.Invalidate();
            Assert.Equal(heldInRelease, await fixture.Http.GetStringAsync($"/{basePath}/dists/bookworm/InRelease"));
            await AssertByHashMatchesAsync(basePath, listed);

            resume.SetResult();
            await publishing;
        }
        finally
        {
            fixture.Hooks.BeforeCommitAsync = null;
            resume.TrySetResult();
        }

        // Published: the new InRelease lists new indices, and the held one's are still served by hash, byte for byte.
        var current = await fixture.Http.GetStringAsync($"/{basePath}/dists/bookworm/InRelease");
        Assert.NotEqual(listed["main/binary-amd64/Packages.xz"], ListedIndices(current)["main/binary-amd64/Packages.xz"]);
        await AssertByHashMatchesAsync(basePath, listed);
        var oldPackages = await fixture.Http.GetStringAsync($"/{basePath}/dists/bookworm/main/binary-amd64/by-hash/SHA256/{listed["main/binary-amd64/Packages"].Sha256}");
        Assert.Contains("Package: hello\n", oldPackages);
        Assert.DoesNotContain("Package: tree\n", oldPackages);
    }

    /// <summary>Each index the held InRelease lists, fetched from its by-hash path, has the listed size and SHA256.</summary>
    private async Task AssertByHashMatchesAsync(string basePath, Dictionary<string, (string Sha256, long Size)> listed)
    {
        foreach (var (path, (sha256, size)) in listed)
        {
            var directory = path[..(path.LastIndexOf('/') + 1)];
            using var response = await fixture.Http.GetAsync($"/{basePath}/dists/bookworm/{directory}by-hash/SHA256/{sha256}");
            Assert.True(response.IsSuccessStatusCode, $"{path} by hash: {(int)response.StatusCode}");
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(size, bytes.Length);
            Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
    }

    /// <summary>The SHA256 section of a Release: path → (sha256, size).</summary>
    private static Dictionary<string, (string Sha256, long Size)> ListedIndices(string release) =>
        release[(release.IndexOf("SHA256:\n", StringComparison.Ordinal) + 8)..].Split('\n')
            .TakeWhile(line => line.StartsWith(' '))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(parts => parts[2], parts => (parts[0], long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The SHA256 the current InRelease lists for main/binary-amd64/Packages.xz.</summary>
    private async Task<string> IndexHashAsync(string basePath)
    {
        var inRelease = await fixture.Http.GetStringAsync($"/{basePath}/dists/bookworm/InRelease");
        var sha256 = inRelease[inRelease.IndexOf("SHA256:", StringComparison.Ordinal)..];
        var line = sha256.Split('\n').First(l => l.EndsWith(" main/binary-amd64/Packages.xz", StringComparison.Ordinal));
        return line.Trim().Split(' ')[0];
    }

    private async Task<string> FetchByHashAsync(string basePath, string hash)
    {
        var bytes = await fixture.Http.GetByteArrayAsync($"/{basePath}/dists/bookworm/main/binary-amd64/by-hash/SHA256/{hash}");
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
