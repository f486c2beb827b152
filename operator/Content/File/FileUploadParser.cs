using Packyard.Plugins;

namespace Packyard.Content.File;

/// <summary>An uploaded file becomes a unit at form field <c>relativePath</c> (default: the uploaded file name).</summary>
internal sealed class FileUploadParser : IUploadParser
{
    public Task<DeclaredContent> ParseAsync(UploadContext context, CancellationToken cancellationToken)
    {
        var path = context.Fields.TryGetValue("relativePath", out var given) && !string.IsNullOrEmpty(given) ? given : context.FileName;
        if (UpstreamPaths.Problem(path) is { } problem)
        {
            throw new InvalidUploadException($"relativePath '{path}' is not allowed: {problem}");
        }

        var artifact = context.Artifact;
        return Task.FromResult(new DeclaredContent(
            FileContentType.NaturalKey(path, artifact.Sha256), path, FileContentType.FileName(path), Version: null, MetadataJson: "{}",
            [new DeclaredArtifact(path, artifact.Sha256, artifact.Size, Url: null)]));
    }
}
