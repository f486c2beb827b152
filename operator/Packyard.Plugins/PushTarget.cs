namespace Packyard.Plugins;

/// <summary>
/// A repository that a type's own push protocol writes into (e.g. an OCI registry's blob uploads and manifest PUTs), after the
/// request passed the upload API's authorization and checks (<see cref="RootRouteContext.OpenPushAsync"/>). Uploads can be
/// resumable sessions whose state is in the database (any replica may take the next chunk); a finished upload can be kept
/// <em>pending</em> in the repository, outside any version, until <see cref="CommitAsync"/> makes one version of what belongs
/// together (an image's blobs, manifest and tag). Pending units and sessions nobody finishes are reclaimed by orphan cleanup.
/// </summary>
public abstract class PushTarget
{
    /// <summary>The repository as <c>namespace/name</c>, for messages.</summary>
    public abstract string Repository { get; }

    /// <summary>Starts a resumable upload session in this repository.</summary>
    public abstract Task<UploadSession> StartSessionAsync(CancellationToken cancellationToken);

    /// <summary>The session of this repository with that id, or null (unknown, finished, cancelled or expired).</summary>
    public abstract Task<UploadSession?> FindSessionAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="body"/> to the session, which must have received exactly <paramref name="offset"/> bytes so far
    /// (else <see cref="UploadRangeException"/>, before the body is read); the body streams into the store.
    /// </summary>
    public abstract Task<UploadSession> AppendAsync(string id, long offset, Stream body, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the session: its bytes, in order, must have sha256 <paramref name="sha256"/> (lower-case hex), checked while they
    /// stream into the store; else <see cref="UploadDigestException"/> and nothing is kept. The session is gone either way.
    /// </summary>
    public abstract Task<UploadedArtifact> CompleteSessionAsync(string id, string sha256, CancellationToken cancellationToken);

    /// <summary>Cancels the session; false when there was none.</summary>
    public abstract Task<bool> CancelSessionAsync(string id, CancellationToken cancellationToken);

    /// <summary>Streams <paramref name="body"/> into the store in one go, checked against <paramref name="sha256"/> when given (<see cref="UploadDigestException"/>).</summary>
    public abstract Task<UploadedArtifact> StoreAsync(Stream body, string? sha256, CancellationToken cancellationToken);

    /// <summary>
    /// Records <paramref name="unit"/> (whose artifacts are stored) as pending in this repository: not in any version, but
    /// known to <see cref="FindAsync"/> and available to <see cref="CommitAsync"/>.
    /// </summary>
    public abstract Task AddPendingAsync(DeclaredContent unit, CancellationToken cancellationToken);

    /// <summary>The unit with <paramref name="naturalKey"/> when it is in the repository's latest version or pending in it, else null.</summary>
    public abstract Task<DeclaredContent?> FindAsync(string naturalKey, CancellationToken cancellationToken);

    /// <summary>The units of the repository's latest version whose repo key starts with <paramref name="repoKeyPrefix"/>.</summary>
    public abstract Task<IReadOnlyList<DeclaredContent>> ReadCurrentAsync(string repoKeyPrefix, CancellationToken cancellationToken);

    /// <summary>
    /// Makes one new version: the latest one with <paramref name="add"/> merged in (a unit replaces the one of the same repo key)
    /// and the units of <paramref name="removeRepoKeys"/> taken out; concurrent commits to the repository are serialised. Every
    /// artifact of the added units must be stored. The version is published as uploads' versions are; this returns once the
    /// publication serves it (or after a bounded wait). Null when nothing changed.
    /// </summary>
    public abstract Task<long?> CommitAsync(IReadOnlyList<DeclaredContent> add, IReadOnlyList<string> removeRepoKeys, CancellationToken cancellationToken);

    /// <summary>
    /// Cross-repository mount: when the distribution at <paramref name="fromBasePath"/> serves a version holding the unit with
    /// <paramref name="naturalKey"/> and this request may read that distribution (its content guard), records the unit as
    /// pending here and returns it; otherwise null.
    /// </summary>
    public abstract Task<DeclaredContent?> MountAsync(string fromBasePath, string naturalKey, CancellationToken cancellationToken);
}
