using System.Text.Json;

namespace Packyard.Content.Container;

/// <summary>
/// What a container unit needs for a promotion: a tag requires its manifest; a manifest requires its blobs and index children and
/// accompanies its subject (a referrer: signature, SBOM, attestation); a cosign tag <c>sha256-&lt;hex&gt;.sig/.att</c> accompanies
/// the manifest it names. Blobs need nothing.
/// </summary>
internal sealed class ContainerDependencies : IContentDependencies
{
    public UnitDependencies Of(string naturalKey, string name, string metadataJson)
    {
        if (naturalKey.StartsWith("tag:", StringComparison.Ordinal))
        {
            if (JsonSerializer.Deserialize(metadataJson, ContainerJsonContext.Default.TagMetadata) is not { Digest: { } digest })
            {
                return UnitDependencies.None;
            }

            var subject = ContainerSyncSource.SubjectTag().Match(name);
            return new UnitDependencies([ContainerContentType.ManifestKey(digest)],
                subject.Success ? [ContainerContentType.ManifestKey(OciDigest.Prefix + subject.Groups[1].Value)] : []);
        }

        if (naturalKey.StartsWith("manifest:", StringComparison.Ordinal)
            && JsonSerializer.Deserialize(metadataJson, ContainerJsonContext.Default.OciManifestMetadata) is { } manifest)
        {
            List<string> requires = [.. (manifest.Blobs ?? []).Select(ContainerContentType.BlobKey), .. (manifest.Manifests ?? []).Select(c => ContainerContentType.ManifestKey(c.Digest))];
            return new UnitDependencies(requires, manifest.Subject is { } s ? [ContainerContentType.ManifestKey(s)] : []);
        }

        return UnitDependencies.None;
    }
}
