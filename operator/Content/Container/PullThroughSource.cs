using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Packyard.Content.Container;

/// <summary>
/// The sync of a pull-through distribution whose Remote names no <c>upstreamName</c>: only the <see cref="SyncContext.Names"/> its
/// clients asked for (<see cref="PullThroughName"/>), from any repository of the registry. A tag is resolved by HEAD and its
/// manifests walked as a sync walks them (each fetched by digest and checked against it; blobs declared with their upstream URL, fetched
/// when a client asks); a digest is a manifest, or else a blob. A name the upstream does not have is left out (the client gets
/// MANIFEST_UNKNOWN or BLOB_UNKNOWN); any other failure fails the sync.
/// </summary>
internal sealed class PullThroughSource(SyncContext context, PlatformFilter platforms)
{
    public async IAsyncEnumerable<DeclaredContent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var names = (context.Names ?? []).Select(PullThroughName.Parse).OfType<PullThroughName>();
        foreach (var group in names.GroupBy(n => n.Repository, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var registry = new RegistryClient(context, group.Key);
            var walker = new ManifestWalker(context, registry, platforms);
            foreach (var name in group)
            {
                var units = new List<DeclaredContent>();
                if (name.Tag is { } tag)
                {
                    if (await registry.TryResolveTagAsync(tag, cancellationToken) is not { } digest)
                    {
                        continue;
                    }

                    units.AddRange(await walker.WalkAsync(digest, $"{group.Key}:{tag}", cancellationToken));
                    var manifest = walker.Manifests[digest];
                    var tagName = PullThroughName.ForTag(group.Key, tag);
                    units.Add(new DeclaredContent(ContainerContentType.TagNaturalKey(tagName, digest), ContainerContentType.TagRepoKey(tagName), tagName,
                        Version: null, JsonSerializer.Serialize(new TagMetadata(tagName, digest, manifest.MediaType, manifest.Size), ContainerJsonContext.Default.TagMetadata), []));
                }
                else if (name.Digest is { } digest)
                {
                    if (await registry.ManifestExistsAsync(digest, cancellationToken))
                    {
                        units.AddRange(await walker.WalkAsync(digest, $"{group.Key}@{digest}", cancellationToken));
                    }
                    else if (await registry.TryBlobSizeAsync(digest, cancellationToken) is { } size)
                    {
                        units.Add(new DeclaredContent(ContainerContentType.BlobKey(digest), ContainerContentType.BlobKey(digest), digest, Version: null,
                            JsonSerializer.Serialize(new BlobMetadata(digest, size), ContainerJsonContext.Default.BlobMetadata),
                            [new DeclaredArtifact(ContainerContentType.BlobPath(digest), OciDigest.Hex(digest), size, registry.BlobUrl(digest))]));
                    }
                }

                foreach (var unit in units)
                {
                    if (declared.Add(unit.NaturalKey))
                    {
                        yield return unit;
                    }
                }
            }
        }
    }
}
