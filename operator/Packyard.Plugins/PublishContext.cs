using System.Text.Json.Serialization;
using Packyard.Api.Resources;

namespace Packyard.Plugins;

/// <summary>
/// What a publisher needs: the version's content, streamed in repo_key order, and a way to add metadata files.
/// Files are spooled to disk and stored content-addressed; the publication becomes visible only when complete.
/// </summary>
public abstract class PublishContext
{
    public abstract string RepositoryName { get; }

    public abstract long Version { get; }

    /// <summary>The Repository's publish settings: signing key and type-specific options.</summary>
    public abstract PublishOptions Options { get; }

    /// <summary>The units of the version with their artifacts, ordered by repo_key.</summary>
    public abstract IAsyncEnumerable<PublishedUnit> ReadContentAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Adds a metadata file at <paramref name="relativePath"/>, written by <paramref name="write"/> into a stream. Calls may run
    /// concurrently (e.g. one per compressed variant of an index).
    /// </summary>
    public abstract Task AddFileAsync(string relativePath, string mediaType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken);

    /// <summary>
    /// Files under <paramref name="pathPrefix"/> of this repository's earlier publications that were still current at or
    /// after <paramref name="since"/> (superseded by a newer publication then or later, or the newest so far), grouped by
    /// publication: what a client holding older metadata may still ask for (apt by-hash).
    /// </summary>
    public abstract IAsyncEnumerable<EarlierPublishedFile> ReadEarlierFilesAsync(string pathPrefix, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a file already in the store (e.g. from <see cref="ReadEarlierFilesAsync"/>, or one this publication added under
    /// another path) to this publication without copying it.
    /// </summary>
    public abstract void AddStoredFile(PublishedFile file);

    /// <summary>
    /// The files this publication holds so far under <paramref name="pathPrefix"/> (added or stored), e.g. to serve them under a
    /// second path as well with <see cref="AddStoredFile"/>.
    /// </summary>
    public abstract IReadOnlyList<PublishedFile> FilesUnder(string pathPrefix);
}

/// <summary>A published metadata file: where it is served, its stored content and media type.</summary>
public sealed record PublishedFile(string RelativePath, string Sha256, long Size, string MediaType);

/// <summary>A file of an earlier publication (<paramref name="PublicationId"/>).</summary>
public sealed record EarlierPublishedFile(long PublicationId, PublishedFile File);

/// <summary>A unit of a published version.</summary>
public sealed record PublishedUnit(long Id, string Name, string? Version, string MetadataJson, IReadOnlyList<PublishedArtifact> Artifacts);

/// <summary>An artifact of a published unit.</summary>
public sealed record PublishedArtifact(string RelativePath, string Sha256, long? Size);

/// <summary>
/// How a repository is published: <see cref="SigningKey"/> is the OpenPGP secret key (ASCII-armored or binary) from
/// <c>spec.publish.signingKeySecretRef</c>, or null; <see cref="TypeOptions"/> is the type-specific block of <c>spec.publish</c>
/// (<see cref="RepositorySpec.TypePublishOptions"/>, e.g. <see cref="DebPublishOptions"/>), or null.
/// </summary>
public sealed record PublishOptions(byte[]? SigningKey,
    [property: JsonConverter(typeof(TypeOptionsConverter<PublishTypeOptions>))] PublishTypeOptions? TypeOptions)
{
    public static PublishOptions None { get; } = new(null, null);
}
