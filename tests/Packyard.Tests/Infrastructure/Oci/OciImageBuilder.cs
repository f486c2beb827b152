using System.Text;
using System.Text.Json.Nodes;

namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// Builds test images with the real <c>umoci</c> into an OCI image layout and pushes them with the real <c>skopeo</c>: an
/// image of N layers of given sizes (each layer one file of seeded pseudo-random bytes, so contents are reproducible and do
/// not compress), a multi-platform index written around per-platform images, pushed as OCI or as Docker schema 2. Layer
/// tarballs carry umoci's timestamps, so digests differ between builds: read them from the returned <see cref="OciImage"/>.
/// Artifacts, referrers, cosign tags and mass tagging go through <see cref="OciRegistryClient"/>. One builder owns one layout;
/// its methods may be called concurrently (layout updates are serialised).
/// </summary>
public sealed class OciImageBuilder : IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private readonly SemaphoreSlim layoutGate = new(1, 1);
    private bool initialised;

    /// <summary>The OCI image layout (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/sha256/…</c>).</summary>
    public string LayoutDirectory => Path.Combine(directory.Path, "layout");

    /// <summary>The skopeo transport form of a tag in the layout: <c>oci:DIR:TAG</c>.</summary>
    public string Layout(string tag) => $"oci:{LayoutDirectory}:{tag}";

    /// <summary>
    /// Builds <paramref name="tag"/>: one umoci layer per entry of <paramref name="layerSizes"/> (bytes of the file in it), for
    /// <paramref name="platform"/> (<c>os/architecture</c>). The same <paramref name="seed"/> gives the same file contents. With
    /// <paramref name="baseTag"/> the new layers go on top of that image's, which the two images then share blob for blob.
    /// </summary>
    public async Task<OciImage> BuildImageAsync(string tag, IReadOnlyList<long> layerSizes, int seed = 1, string platform = "linux/amd64",
        string? baseTag = null, CancellationToken cancellationToken = default)
    {
        var parts = platform.Split('/');
        var image = $"{LayoutDirectory}:{tag}";
        var bundle = Path.Combine(directory.Path, $"bundle-{Guid.NewGuid():N}");
        await layoutGate.WaitAsync(cancellationToken);
        try
        {
            if (!initialised)
            {
                await OciTool.UmociAsync(["init", "--layout", LayoutDirectory], cancellationToken: cancellationToken);
                initialised = true;
            }

            if (baseTag is null)
            {
                await OciTool.UmociAsync(["new", "--image", image], cancellationToken: cancellationToken);
            }

            await OciTool.UmociAsync(["unpack", "--rootless", "--image", baseTag is null ? image : $"{LayoutDirectory}:{baseTag}", bundle],
                cancellationToken: cancellationToken);
            for (var i = 0; i < layerSizes.Count; i++)
            {
                await WriteContentAsync(Path.Combine(bundle, "rootfs", $"layer-{seed}-{i}.bin"), layerSizes[i], seed * 1_000 + i, cancellationToken);
                await OciTool.UmociAsync(["repack", "--refresh-bundle", "--image", image, bundle], cancellationToken: cancellationToken);
            }

            await OciTool.UmociAsync(["config", "--image", image, "--os", parts[0], "--architecture", parts[1],
                "--config.label", $"org.packyard.test.seed={seed}"], cancellationToken: cancellationToken);
        }
        finally
        {
            layoutGate.Release();
            if (Directory.Exists(bundle))
            {
                Directory.Delete(bundle, recursive: true);
            }
        }

        return ReadTag(tag) with { Platform = platform };
    }

    /// <summary>Writes an OCI index over <paramref name="images"/> (each with its <see cref="OciImage.Platform"/>) and tags it <paramref name="tag"/>.</summary>
    public async Task<OciImage> BuildIndexAsync(string tag, IReadOnlyList<OciImage> images, CancellationToken cancellationToken = default)
    {
        var manifests = new JsonArray();
        foreach (var image in images)
        {
            var descriptor = OciRegistryClient.Descriptor(image.MediaType, image.Digest, image.Manifest.Length);
            var platform = (image.Platform ?? "linux/amd64").Split('/');
            var platformJson = new JsonObject { ["architecture"] = platform[1], ["os"] = platform[0] };
            if (platform.Length > 2)
            {
                platformJson["variant"] = platform[2];
            }

            descriptor["platform"] = platformJson;
            manifests.Add(descriptor);
        }

        var bytes = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciTestMediaTypes.ImageIndex,
            ["manifests"] = manifests,
        }.ToJsonString());
        await layoutGate.WaitAsync(cancellationToken);
        try
        {
            var digest = OciRegistryClient.Sha256(bytes);
            await File.WriteAllBytesAsync(BlobPath(digest), bytes, cancellationToken);
            var indexPath = Path.Combine(LayoutDirectory, "index.json");
            var index = JsonNode.Parse(await File.ReadAllTextAsync(indexPath, cancellationToken))!.AsObject();
            var entries = index["manifests"]!.AsArray();
            foreach (var old in entries.Where(e => RefName(e) == tag).ToList())
            {
                entries.Remove(old);
            }

            var entry = OciRegistryClient.Descriptor(OciTestMediaTypes.ImageIndex, digest, bytes.Length);
            entry["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag };
            entries.Add(entry);
            await File.WriteAllTextAsync(indexPath, index.ToJsonString(), cancellationToken);
        }
        finally
        {
            layoutGate.Release();
        }

        return OciRegistryClient.Parse(bytes) with { Children = images };
    }

    /// <summary>
    /// <c>skopeo copy [--all] oci:LAYOUT:TAG docker://REGISTRY/NAME:DESTTAG</c> (an index with all its platforms), in
    /// <paramref name="format"/>, with <paramref name="credentials"/> when the registry needs them; returns the manifest as the
    /// registry now serves it (a new digest after a Docker schema 2 conversion).
    /// </summary>
    public async Task<OciImage> PushAsync(string tag, ReferenceRegistry registry, string name, string? destinationTag = null,
        OciPushFormat format = OciPushFormat.Oci, (string User, string Password)? credentials = null, CancellationToken cancellationToken = default)
    {
        var destination = destinationTag ?? tag;
        List<string> arguments = ["copy", "--quiet", "--all", "--dest-tls-verify=false", "--retry-times", "0"];
        if (format == OciPushFormat.DockerSchema2)
        {
            arguments.AddRange(["--format", "v2s2"]);
        }

        if (credentials is { } c)
        {
            arguments.AddRange(["--dest-creds", $"{c.User}:{c.Password}"]);
        }

        arguments.AddRange([Layout(tag), registry.Docker(name, destination)]);
        await OciTool.SkopeoAsync(arguments, cancellationToken: cancellationToken);
        using var client = new OciRegistryClient(registry.Address, credentials?.User, credentials?.Password);
        var pushed = await client.GetManifestAsync(name, destination, cancellationToken);
        return format == OciPushFormat.Oci && pushed.Digest == ReadTag(tag).Digest
            ? pushed with { Platform = ReadTag(tag).Platform }
            : pushed;
    }

    /// <summary><see cref="BuildImageAsync"/> then <see cref="PushAsync"/> under the same tag.</summary>
    public async Task<OciImage> BuildAndPushAsync(ReferenceRegistry registry, string name, string tag, IReadOnlyList<long> layerSizes, int seed = 1,
        OciPushFormat format = OciPushFormat.Oci, (string User, string Password)? credentials = null, CancellationToken cancellationToken = default)
    {
        await BuildImageAsync(tag, layerSizes, seed, cancellationToken: cancellationToken);
        return await PushAsync(tag, registry, name, format: format, credentials: credentials, cancellationToken: cancellationToken);
    }

    /// <summary>The manifest (or index) tagged <paramref name="tag"/> in the layout.</summary>
    public OciImage ReadTag(string tag)
    {
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(LayoutDirectory, "index.json")))!;
        var entry = index["manifests"]!.AsArray().LastOrDefault(e => RefName(e) == tag)
            ?? throw new InvalidOperationException($"no tag {tag} in {LayoutDirectory}");
        var digest = entry["digest"]!.GetValue<string>();
        var image = OciRegistryClient.Parse(File.ReadAllBytes(BlobPath(digest)), entry["mediaType"]?.GetValue<string>());
        return image with { Children = [.. image.Children.Select(c => OciRegistryClient.Parse(File.ReadAllBytes(BlobPath(c.Digest))) with { Platform = c.Platform })] };
    }

    /// <summary>A blob of the layout (a layer, a config, a manifest).</summary>
    public byte[] ReadBlob(string digest) => File.ReadAllBytes(BlobPath(digest));

    public void Dispose()
    {
        layoutGate.Dispose();
        directory.Dispose();
    }

    /// <summary>Seeded pseudo-random bytes: the same seed gives the same file, and gzip cannot shrink it.</summary>
    private static async Task WriteContentAsync(string path, long size, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var buffer = new byte[Math.Min(size, 1 << 20)];
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        for (long written = 0; written < size; written += buffer.Length)
        {
            random.NextBytes(buffer);
            await file.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - written)), cancellationToken);
        }
    }

    private static string? RefName(JsonNode? entry) => entry?["annotations"]?["org.opencontainers.image.ref.name"]?.GetValue<string>();

    private string BlobPath(string digest) =>
        Path.Combine(LayoutDirectory, "blobs", digest.Split(':')[0], digest.Split(':')[1]);
}
