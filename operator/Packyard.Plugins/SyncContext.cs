
namespace Packyard.Plugins;

/// <summary>What a sync source needs: the remote's base URL and options, and a client for upstream metadata.</summary>
public sealed class SyncContext(RemoteSettings remote, IUpstreamClient upstream, SyncLimits limits)
{
    public RemoteSettings Remote { get; } = remote;

    /// <summary>Fetches metadata with the remote's credentials, limits and retries.</summary>
    public IUpstreamClient Upstream { get; } = upstream;

    public SyncLimits Limits { get; } = limits;

    /// <summary>
    /// When set (a pull-through of names a distribution was asked for), declare only content with these names,
    /// still filtered by the remote's options; null means everything the remote's options select.
    /// </summary>
    public IReadOnlyCollection<string>? Names { get; init; }

    /// <summary>
    /// The <see cref="UpstreamState"/> the source reported at the last successful sync of this repository from this remote, when
    /// that sync ran with the same settings and its version is still the latest; otherwise null (and always for <see cref="Names"/>).
    /// </summary>
    public string? PreviousUpstreamState { get; init; }

    /// <summary>
    /// Set by the source: a summary of everything it reads upstream (e.g. the digest of a signed Release file that lists every
    /// index with its hash), or null when it has none. When it equals <see cref="PreviousUpstreamState"/>, the source may stop
    /// declaring content: the engine then keeps the latest version as it is, without staging anything.
    /// </summary>
    public string? UpstreamState { get; set; }

    /// <summary>
    /// Stores <paramref name="content"/> (metadata the source has read anyway and that is also a unit's artifact, e.g. a
    /// registry manifest whose bytes are its identity) in the artifact store under its sha256, which it returns (lower-case hex),
    /// so the engine does not download it again, whatever the Remote's policy. Set by the engine; null when the host keeps no store.
    /// </summary>
    public Func<ReadOnlyMemory<byte>, CancellationToken, Task<string>>? StoreArtifact { get; init; }

    /// <summary>Stores <paramref name="content"/> with <see cref="StoreArtifact"/>; false when this context has no store.</summary>
    public async Task<bool> StoreArtifactAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (StoreArtifact is null)
        {
            return false;
        }

        await StoreArtifact(content, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>True when the source reported the same upstream state as the last successful sync.</summary>
    public bool UpstreamUnchanged => UpstreamState is not null && UpstreamState == PreviousUpstreamState;
}

/// <summary>Bounds on upstream input; exceeded bounds fail the sync with a message.</summary>
public sealed record SyncLimits
{
    /// <summary>Largest metadata file (compressed or not) read from an upstream.</summary>
    public long MaxMetadataBytes { get; init; } = 1L << 30;

    /// <summary>Largest decompressed metadata stream.</summary>
    public long MaxDecompressedBytes { get; init; } = 4L << 30;

    /// <summary>Most content units one sync may declare.</summary>
    public long MaxUnits { get; init; } = 5_000_000;

    /// <summary>Longest line in a line-based metadata format.</summary>
    public int MaxLineLength { get; init; } = 64 * 1024;
}
