using System.Runtime.CompilerServices;
using Packyard.Api.Resources;
using System.Text.Json;
using Packyard.Plugins;

namespace Packyard.Content.File;

/// <summary>Reads the upstream PULP_MANIFEST and declares one unit per line.</summary>
internal sealed class FileSyncSource : ISyncSource
{
    public async IAsyncEnumerable<DeclaredContent> ReadUpstreamAsync(SyncContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var manifestPath = (context.Remote.TypeOptions as FileRemoteOptions ?? new FileRemoteOptions()).Manifest;
        var manifestUrl = context.Remote.Resolve(manifestPath);

        await using var response = await context.Upstream.OpenAsync(manifestUrl, cancellationToken);
        using var reader = new BoundedLineReader(response.Body, manifestPath, context.Limits.MaxLineLength, context.Limits.MaxMetadataBytes);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var entry = ManifestLine.TryParse(line, out var error)
                ?? throw new InvalidUpstreamMetadataException($"{manifestPath}:{reader.LineNumber}: {error}");
            if (UpstreamPaths.Problem(entry.RelativePath) is { } problem)
            {
                throw new InvalidUpstreamMetadataException($"{manifestPath}:{reader.LineNumber}: unsafe path '{entry.RelativePath}': {problem}");
            }

            if (!Digests.IsSha256(entry.Sha256))
            {
                throw new InvalidUpstreamMetadataException($"{manifestPath}:{reader.LineNumber}: '{entry.Sha256}' is not a sha256 digest");
            }

            yield return new DeclaredContent(
                FileContentType.NaturalKey(entry.RelativePath, entry.Sha256),
                entry.RelativePath,
                FileContentType.FileName(entry.RelativePath),
                Version: null,
                MetadataJson: "{}",
                [new DeclaredArtifact(entry.RelativePath, entry.Sha256, entry.Size, context.Remote.Resolve(entry.RelativePath))]);
        }
    }
}
