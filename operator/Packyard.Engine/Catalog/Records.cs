namespace Packyard.Engine.Catalog;

/// <summary>A distribution as the engine stores it; <paramref name="PullThroughTagTtl"/> is <c>spec.pullThrough.tagTTL</c> (null: the default).</summary>
public sealed record DistributionRecord(string Namespace, string Name, string BasePath, long RepositoryId, long? Version,
    bool Checkpoints, ContentGuardRecord? Guard, long? PullThroughRemoteId, TimeSpan? PullThroughTagTtl = null);

/// <summary>The newest versions (newest first) and latest publication of a repository.</summary>
public sealed record RepositoryState(IReadOnlyList<RepositoryVersionInfo> Versions, PublicationInfo? LatestPublication)
{
    public RepositoryVersionInfo Latest => Versions[0];

    /// <summary>The latest version's units by the kinds its type counts apart (<see cref="ContentKind"/>); null for a type without.</summary>
    public IReadOnlyDictionary<string, long>? ContentCounts { get; init; }
}

public sealed record RepositoryVersionInfo(long Number, DateTimeOffset Created, long Added, long Removed, long ContentCount);

/// <summary>A publication: its version, when it was made, and the fingerprint of the publish options it was made with (null: made before those were recorded).</summary>
public sealed record PublicationInfo(long Version, DateTimeOffset Created, string? OptionsFingerprint = null)
{
    /// <summary>Whether this publication serves <paramref name="version"/> as publish options with <paramref name="fingerprint"/> would.</summary>
    public bool Serves(long version, string fingerprint) => Version == version && Publishing.PublishOptionsFingerprint.IsCurrent(OptionsFingerprint, fingerprint);
}

/// <summary>Another distribution already uses the base path.</summary>
public sealed class BasePathConflictException(string message) : Exception(message);

/// <summary>A repository as the upload endpoint sees it.</summary>
public sealed record UploadTarget(long RepositoryId, string Type, bool UploadsEnabled);

/// <summary>A remote and URL an artifact can be downloaded from.</summary>
public sealed record ArtifactSource(RemoteSettings Remote, Uri Url);
