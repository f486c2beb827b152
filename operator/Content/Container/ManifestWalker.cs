using System.Text.Json;

namespace Packyard.Content.Container;

/// <summary>
/// Fetches manifests by digest and declares them with what they reference: index children (every one, whatever the platform
/// filter), and the blobs of image manifests on a selected platform. Each manifest is fetched once per sync; an index that
/// reaches itself, or nests deeper than <see cref="ContainerSyncSource.MaxIndexDepth"/>, fails the sync.
/// </summary>
internal sealed class ManifestWalker(SyncContext context, RegistryClient registry, PlatformFilter platforms)
{
    private readonly HashSet<string> declaredBlobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> blobsWalked = new(StringComparer.Ordinal);

    /// <summary>The manifests declared so far, by digest.</summary>
    public Dictionary<string, ParsedManifest> Manifests { get; } = new(StringComparer.Ordinal);

    /// <summary>The units <paramref name="digest"/> brings that were not declared yet.</summary>
    public async Task<List<DeclaredContent>> WalkAsync(string digest, string what, CancellationToken cancellationToken)
    {
        var units = new List<DeclaredContent>();
        await WalkAsync(digest, what, [], keepBlobs: true, units, cancellationToken);
        return units;
    }

    private async Task WalkAsync(string digest, string what, List<string> ancestors, bool keepBlobs, List<DeclaredContent> units, CancellationToken cancellationToken)
    {
        if (ancestors.Contains(digest, StringComparer.Ordinal))
        {
            throw new ManifestException($"{what}: index {ancestors[^1]} references {digest}, which contains it: an index may not reach itself");
        }

        if (ancestors.Count > ContainerSyncSource.MaxIndexDepth)
        {
            throw new ManifestException($"{what}: indexes nest deeper than {ContainerSyncSource.MaxIndexDepth} levels");
        }

        if (!Manifests.TryGetValue(digest, out var manifest))
        {
            var (bytes, contentType) = await registry.GetManifestAsync(digest, what, cancellationToken);
            manifest = ManifestParser.Parse(bytes, digest, contentType, what);
            await context.StoreArtifactAsync(bytes, cancellationToken);
            Manifests[digest] = manifest;
            units.Add(new DeclaredContent(ContainerContentType.ManifestKey(digest), ContainerContentType.ManifestKey(digest), digest, Version: null,
                JsonSerializer.Serialize(OciManifestMetadata.From(manifest), ContainerJsonContext.Default.OciManifestMetadata),
                [new DeclaredArtifact(ContainerContentType.ManifestPath(digest), OciDigest.Hex(digest), manifest.Size, registry.ManifestUrl(digest))]));
        }

        if (manifest.IsIndex)
        {
            List<string> path = [.. ancestors, digest];
            foreach (var child in manifest.Children)
            {
                var keep = keepBlobs && (child.Platform is null || platforms.Matches(child.Platform));
                await WalkAsync(child.Digest, $"{what} ({child.Platform?.ToString() ?? child.Digest})", path, keep, units, cancellationToken);
            }

            return;
        }

        if (!keepBlobs || !blobsWalked.Add(digest))
        {
            return;
        }

        foreach (var blob in manifest.Blobs)
        {
            if (declaredBlobs.Add(blob.Digest))
            {
                units.Add(new DeclaredContent(ContainerContentType.BlobKey(blob.Digest), ContainerContentType.BlobKey(blob.Digest), blob.Digest, Version: null,
                    JsonSerializer.Serialize(new BlobMetadata(blob.Digest, blob.Size), ContainerJsonContext.Default.BlobMetadata),
                    [new DeclaredArtifact(ContainerContentType.BlobPath(blob.Digest), OciDigest.Hex(blob.Digest), blob.Size, registry.BlobUrl(blob.Digest))]));
            }
        }
    }
}
