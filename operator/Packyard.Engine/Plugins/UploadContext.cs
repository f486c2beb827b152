using Packyard.Engine.Storage;

namespace Packyard.Engine.Plugins;

/// <summary>An upload whose body is already stored (and digested) in the artifact store.</summary>
public sealed class UploadContext(string fileName, IReadOnlyDictionary<string, string> fields, StoredArtifact artifact, IArtifactStore store)
{
    public string FileName { get; } = fileName;

    /// <summary>Form fields sent with the file (e.g. <c>relativePath</c>).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; } = fields;

    public StoredArtifact Artifact { get; } = artifact;

    public async Task<Stream> OpenAsync(CancellationToken cancellationToken) =>
        await store.OpenReadAsync(Artifact.Sha256, 0, cancellationToken)
        ?? throw new InvalidOperationException($"Uploaded artifact {Artifact.Sha256} vanished from the store");
}
