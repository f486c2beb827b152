using Packyard.Engine.Storage;

namespace Packyard.Engine.Plugins;

/// <summary>An upload whose body is already stored (and digested) in the artifact store.</summary>
public sealed class UploadContext(string fileName, IReadOnlyDictionary<string, string> fields, StoredArtifact artifact, IArtifactStore store,
    Func<string, CancellationToken, Task<string?>>? findCurrent = null)
{
    public string FileName { get; } = fileName;

    /// <summary>Form fields sent with the file (e.g. <c>relativePath</c>).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; } = fields;

    public StoredArtifact Artifact { get; } = artifact;

    public async Task<Stream> OpenAsync(CancellationToken cancellationToken) =>
        await store.OpenReadAsync(Artifact.Sha256, 0, cancellationToken)
        ?? throw new InvalidOperationException($"Uploaded artifact {Artifact.Sha256} vanished from the store");

    /// <summary>
    /// The natural key of the unit with repo key <paramref name="repoKey"/> in the repository's latest version, or null:
    /// lets a type refuse an upload that would replace different content under the same name (e.g. python's 409).
    /// </summary>
    public Task<string?> FindCurrentNaturalKeyAsync(string repoKey, CancellationToken cancellationToken) =>
        findCurrent is null ? Task.FromResult<string?>(null) : findCurrent(repoKey, cancellationToken);
}
