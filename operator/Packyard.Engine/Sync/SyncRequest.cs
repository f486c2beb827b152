using Packyard.Api.Resources;
using Packyard.Engine.Downloads;

namespace Packyard.Engine.Sync;

/// <summary>Sync <see cref="RepositoryId"/> from a remote (already registered as <see cref="RemoteId"/>).</summary>
/// <remarks><see cref="Names"/>, when set (pull-through), limits the sync to content with those names.</remarks>
public sealed record SyncRequest(long RepositoryId, string RepositoryName, long RemoteId, RemoteSettings Remote, SyncMode Mode,
    IReadOnlyCollection<string>? Names = null);

/// <summary>What a sync did. <see cref="Version"/> is the new version, or the unchanged latest when <see cref="Created"/> is false.</summary>
public sealed record SyncOutcome(long Version, bool Created, long Added, long Removed, long ContentCount, long Declared, long Downloaded)
{
    /// <summary>Artifacts recorded as stored but missing from the artifact store, downloaded again (counted in <see cref="Downloaded"/> too).</summary>
    public long Repaired { get; init; }
}

/// <summary>Progress of a running sync, for progress bars and status.</summary>
public sealed record SyncProgress(string Phase, long Declared, long ToDownload, long Downloaded, long DownloadedBytes);
