using System.Text.Json.Nodes;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Engine.Promotions;
using Packyard.Engine.Publishing;
using Packyard.Engine.Tasks;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Infrastructure.Oci;
using static Packyard.Tests.Container.TestImages;

namespace Packyard.Tests.Container.Promotion;

/// <summary>
/// Promoting container content: <c>select.names</c> picks tags by name or glob, and the promotion carries what they reference
/// (manifests, index children, blobs, referrers and cosign tags) in one target version, which skopeo then reads.
/// </summary>
public sealed class ContainerPromotionTests(ContainerFixture app) : IClassFixture<ContainerFixture>, IDisposable
{
    private static readonly TimeSpan Bounded = TimeSpan.FromMinutes(2);
    private readonly TemporaryDirectory work = new();

    public void Dispose() => work.Dispose();

    /// <summary>
    /// A synced source: <c>1.0</c> an index (amd64, arm64), <c>1.1</c> an image, <c>latest</c> an image with a cosign signature tag
    /// and an SBOM referrer (tagged <c>sbom-latest</c>), <c>2.0</c> an image with its own signature tag.
    /// </summary>
    private sealed record Source(ContainerFixture.ContainerRepository Repository, string Index, Image Amd64, Image Arm64, Image One1, Image Latest,
        Image Signature, Image Sbom, Image Two, Image TwoSignature);

    private async Task<Source> SourceAsync(ScriptedRegistry registry, DownloadPolicy policy = DownloadPolicy.Immediate, int seed = 20)
    {
        var amd64 = AddImage(registry, seed: seed + 1);
        var arm64 = AddImage(registry, seed: seed + 2, platform: "linux/arm64");
        var (index, _) = AddIndex(registry, [(amd64, "linux/amd64"), (arm64, "linux/arm64")]);
        var one1 = AddImage(registry, seed: seed + 3);
        var latest = AddTarImage(registry, seed: seed + 4, layers: 3);
        var signature = AddImage(registry, seed: seed + 5, layers: 1, artifactType: "application/vnd.dev.cosign.simplesigning.v1+json");
        var sbom = AddImage(registry, seed: seed + 6, layers: 1, subject: Descriptor(latest), artifactType: "application/spdx+json");
        var two = AddImage(registry, seed: seed + 7);
        var twoSignature = AddImage(registry, seed: seed + 8, layers: 1, artifactType: "application/vnd.dev.cosign.simplesigning.v1+json");
        registry.Tag("app", "1.0", index);
        registry.Tag("app", "1.1", one1.Digest);
        registry.Tag("app", "latest", latest.Digest);
        registry.Tag("app", $"sha256-{latest.Digest[7..]}.sig", signature.Digest);
        registry.Tag("app", "sbom-latest", sbom.Digest);
        registry.Tag("app", "2.0", two.Digest);
        registry.Tag("app", $"sha256-{two.Digest[7..]}.sig", twoSignature.Digest);
        var repository = await app.ContainerRepositoryAsync();
        Assert.True((await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""", policy)).Created);
        return new Source(repository, index, amd64, arm64, one1, latest, signature, sbom, two, twoSignature);
    }

    /// <summary>An image whose layers are real gzipped tarballs and whose config lists their diff_ids, as skopeo copy expects.</summary>
    private static Image AddTarImage(ScriptedRegistry registry, int seed, int layers)
    {
        var random = new Random(seed);
        var (layerJson, diffIds, digests) = (new List<string>(), new List<string>(), new List<string>());
        for (var i = 0; i < layers; i++)
        {
            using var tar = new MemoryStream();
            using (var writer = new System.Formats.Tar.TarWriter(tar, leaveOpen: true))
            {
                var content = new byte[2000 + random.Next(3000)];
                random.NextBytes(content);
                writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, $"layer{i}/file.bin")
                {
                    DataStream = new MemoryStream(content),
                    ModificationTime = DateTimeOffset.UnixEpoch,
                });
            }

            using var gzipped = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(tar.ToArray());
            }

            var digest = registry.AddBlob(gzipped.ToArray());
            digests.Add(digest);
            diffIds.Add($"\"{ScriptedRegistry.Digest(tar.ToArray())}\"");
            layerJson.Add($"{{\"mediaType\":\"{OciLayer}\",\"digest\":\"{digest}\",\"size\":{gzipped.Length}}}");
        }

        var configBytes = System.Text.Encoding.UTF8.GetBytes(
            $"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{string.Join(',', diffIds)}]}},\"seed\":{seed}}}");
        var config = registry.AddBlob(configBytes);
        var manifest = System.Text.Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{OciManifest}\",\"config\":{{\"mediaType\":\"{OciConfig}\",\"digest\":\"{config}\",\"size\":{configBytes.Length}}},\"layers\":[{string.Join(',', layerJson)}]}}");
        return new Image(registry.AddManifest(OciManifest, manifest), OciManifest, manifest, config, digests);
    }

    private Task<PromotionOutcome> PromoteAsync(long source, long target, PromotionMode mode, params string[] names) =>
        app.Get<PromotionService>().PromoteAsync(source, null, target, "container", new PromotionSelect { Names = [.. names] }, mode, CancellationToken.None);

    private async Task PublishAsync(ContainerFixture.ContainerRepository repository, long version)
    {
        await app.Get<PublicationService>().PublishAsync(repository.Id, repository.Name, "container", version, PublishOptions.None, CancellationToken.None);
        app.Distributions.Invalidate();
    }

    /// <summary>The natural keys of the repository's units in <paramref name="version"/>, in ordinal order.</summary>
    private async Task<List<string>> UnitsAsync(long repositoryId, long version)
    {
        await using var command = app.DataSource.CreateCommand("""
            select cu.natural_key from repository_content rc join content_units cu on cu.id = rc.content_id
            where rc.repository_id = $1 and rc.version_added <= $2 and (rc.version_removed is null or rc.version_removed > $2)
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = repositoryId });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = version });
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return [.. keys.Order(StringComparer.Ordinal)];
    }

    private static IEnumerable<string> ImageUnits(Image image) =>
        [$"manifest:{image.Digest}", $"blob:{image.Config}", .. image.Layers.Select(l => $"blob:{l}")];

    private string Packyard(string basePath, string tag) => $"docker://{app.BaseAddress.Authority}/{basePath}:{tag}";

    [Fact]
    public async Task Promoting_tag_globs_carries_manifests_index_children_blobs_and_referrers_in_one_version_that_skopeo_reads()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var source = await SourceAsync(registry);
        var target = await app.ContainerRepositoryAsync();

        var outcome = await PromoteAsync(source.Repository.Id, target.Id, PromotionMode.Merge, "1.*", "latest");

        string[] expected =
        [
            $"tag:1.0@{source.Index}", $"tag:1.1@{source.One1.Digest}", $"tag:latest@{source.Latest.Digest}",
            $"tag:sha256-{source.Latest.Digest[7..]}.sig@{source.Signature.Digest}", $"manifest:{source.Index}",
            .. new[] { source.Amd64, source.Arm64, source.One1, source.Latest, source.Signature, source.Sbom }.SelectMany(ImageUnits),
        ];
        Assert.Equal((1L, true), (outcome.Target.Version, outcome.Target.Created));
        Assert.Equal(expected.Distinct().Order(StringComparer.Ordinal), await UnitsAsync(target.Id, 1));

        await PublishAsync(target, 1);
        var inspect = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--tls-verify=false", Packyard(target.BasePath, "latest")], Bounded))!;
        Assert.Equal(source.Latest.Digest, inspect["Digest"]!.GetValue<string>());
        Assert.Equal(source.Latest.Layers, inspect["Layers"]!.AsArray().Select(l => l!.GetValue<string>()));
        var tags = JsonNode.Parse(await OciTool.SkopeoAsync(["list-tags", "--tls-verify=false", $"docker://{app.BaseAddress.Authority}/{target.BasePath}"], Bounded))!;
        Assert.Equal(["1.0", "1.1", "latest", $"sha256-{source.Latest.Digest[7..]}.sig"], tags["Tags"]!.AsArray().Select(t => t!.GetValue<string>()));

        var arm64 = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--tls-verify=false", "--override-arch", "arm64", Packyard(target.BasePath, "1.0")], Bounded))!;
        Assert.Equal(source.Arm64.Layers, arm64["Layers"]!.AsArray().Select(l => l!.GetValue<string>()));
        var raw = await OciTool.SkopeoAsync(["inspect", "--raw", "--tls-verify=false", Packyard(target.BasePath, "1.0")], Bounded);
        Assert.Equal(source.Index, ScriptedRegistry.Digest(System.Text.Encoding.UTF8.GetBytes(raw)));

        var copy = Path.Combine(work.Path, "copy");
        await OciTool.SkopeoAsync(["copy", "--quiet", "--src-tls-verify=false", Packyard(target.BasePath, "latest"), $"oci:{copy}:latest"], Bounded);
        foreach (var blob in source.Latest.Layers.Append(source.Latest.Config))
        {
            Assert.Equal(registry.Blobs[blob], await File.ReadAllBytesAsync(Path.Combine(copy, "blobs", "sha256", blob[7..])));
        }

        using var referrers = await app.Http.GetAsync($"/v2/{target.BasePath}/referrers/{source.Latest.Digest}");
        Assert.Contains(source.Sbom.Digest, await referrers.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promoting_again_with_nothing_new_makes_no_version_and_replace_makes_the_target_exactly_the_closure()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var source = await SourceAsync(registry);
        var target = await app.ContainerRepositoryAsync();
        await PromoteAsync(source.Repository.Id, target.Id, PromotionMode.Merge, "1.*", "latest");

        var again = await PromoteAsync(source.Repository.Id, target.Id, PromotionMode.Merge, "1.*", "latest");
        var onlyTwo = await PromoteAsync(source.Repository.Id, target.Id, PromotionMode.Replace, "2.0");

        Assert.Equal((1L, false), (again.Target.Version, again.Target.Created));
        Assert.Equal((2L, true), (onlyTwo.Target.Version, onlyTwo.Target.Created));
        string[] expected = [$"tag:2.0@{source.Two.Digest}", $"tag:sha256-{source.Two.Digest[7..]}.sig@{source.TwoSignature.Digest}",
            .. ImageUnits(source.Two), .. ImageUnits(source.TwoSignature)];
        Assert.Equal(expected.Order(StringComparer.Ordinal), await UnitsAsync(target.Id, 2));
    }

    [Theory]
    [InlineData("3.*", "'3.*' matches nothing")]
    [InlineData("1.*|nightly", "'nightly' matches nothing")]
    [InlineData("lat?st|app:latest", "'app:latest' matches nothing")] // a name with ':' is a digest, never a tag
    public async Task A_name_matching_no_tag_fails_the_promotion_naming_it_and_the_target_is_untouched(string names, string message)
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var source = await SourceAsync(registry);
        var target = await app.ContainerRepositoryAsync();

        var error = await Assert.ThrowsAsync<NothingSelectedException>(() => PromoteAsync(source.Repository.Id, target.Id, PromotionMode.Replace, names.Split('|')));

        Assert.Contains($"spec.select.names: {message} in source version 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await app.LatestVersionAsync(target.Id));
    }

    [Fact]
    public async Task Promoted_content_of_an_OnDemand_source_is_fetched_on_first_request_from_the_target()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var source = await SourceAsync(registry, DownloadPolicy.OnDemand, seed: 40); // blobs no other test stored
        var target = await app.ContainerRepositoryAsync();
        await PromoteAsync(source.Repository.Id, target.Id, PromotionMode.Merge, "latest");
        await PublishAsync(target, 1);
        var layer = source.Latest.Layers[1];
        Assert.Equal(0, registry.Count("GET", $"/v2/app/blobs/{layer}"));

        using var blob = await app.Http.GetAsync($"/v2/{target.BasePath}/blobs/{layer}");

        Assert.Equal(registry.Blobs[layer], await blob.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, registry.Count("GET", $"/v2/app/blobs/{layer}"));
    }

    [Fact]
    public async Task A_promote_task_whose_glob_matches_no_tag_reports_NothingSelected_naming_the_source_and_the_glob()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var source = await SourceAsync(registry);
        var target = await app.ContainerRepositoryAsync();
        var args = new PromoteTaskArgs("default/to-prod", $"default/{source.Repository.Name}", $"default/{target.Name}", source.Repository.Id, null, "container",
            new PromotionSelect { Names = ["3.*"] }, PromotionMode.Merge, "fingerprint");
        await using var connection = await app.DataSource.OpenConnectionAsync();
        await using var task = new ClaimedTask(connection, 1, TaskKinds.Promote, target.Id, "test-worker", 1, null,
            System.Text.Json.JsonSerializer.Serialize(args, TaskJsonContext.Default.PromoteTaskArgs), null);

        var result = await new PromoteTaskHandler(app.Get<PromotionService>()).RunAsync(task, CancellationToken.None);

        var report = System.Text.Json.JsonSerializer.Deserialize(result.Json, TaskJsonContext.Default.PromoteReport)!;
        Assert.Equal((false, Reasons.NothingSelected), (result.Succeeded, report.Reason));
        Assert.Equal($"default/{source.Repository.Name}: spec.select.names: '3.*' matches nothing in source version 1", report.Message);
        Assert.Equal(0, await app.LatestVersionAsync(target.Id));
    }

    [Fact]
    public async Task A_tag_glob_selects_only_tags_and_a_digest_selects_that_manifest_with_what_it_needs()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var source = await SourceAsync(registry);
        var everyTag = await app.ContainerRepositoryAsync();
        var byDigest = await app.ContainerRepositoryAsync();

        await PromoteAsync(source.Repository.Id, everyTag.Id, PromotionMode.Merge, "*");
        await PromoteAsync(source.Repository.Id, byDigest.Id, PromotionMode.Merge, source.Index);

        Assert.Equal(await UnitsAsync(source.Repository.Id, 1), await UnitsAsync(everyTag.Id, 1));
        string[] index = [$"manifest:{source.Index}", .. ImageUnits(source.Amd64), .. ImageUnits(source.Arm64)];
        Assert.Equal(index.Order(StringComparer.Ordinal), await UnitsAsync(byDigest.Id, 1));
    }
}
