using Microsoft.AspNetCore.Http;
using Npgsql;
using Packyard.Engine.Database;
using Packyard.Engine.Versions;

namespace Packyard.Server;

/// <summary>
/// The server's <see cref="PushTarget"/>: one admitted push request into the repository a distribution serves, on
/// <see cref="PushService"/>. A commit tells the controllers (publish, as after an upload) and waits, bounded by
/// <see cref="PushOptions.PublicationWait"/>, until a publication serves the new version, so a pull right after the push sees it.
/// </summary>
internal sealed class RepositoryPush(HttpContext http, PushService pushes, PushEndpoint endpoint, long repositoryId, string ns, string name, string type,
    bool publishes) : PushTarget
{
    public override string Repository => $"{ns}/{name}";

    public override async Task<UploadSession> StartSessionAsync(CancellationToken cancellationToken) =>
        new((await pushes.StartSessionAsync(repositoryId, cancellationToken)).ToString("N"), 0);

    public override async Task<UploadSession?> FindSessionAsync(string id, CancellationToken cancellationToken) =>
        Guid.TryParseExact(id, "N", out var guid) && await pushes.SessionSizeAsync(repositoryId, guid, cancellationToken) is { } size
            ? new UploadSession(id, size) : null;

    public override async Task<UploadSession> AppendAsync(string id, long offset, Stream body, CancellationToken cancellationToken) =>
        new(id, await pushes.AppendAsync(repositoryId, Parse(id), offset, body, cancellationToken));

    public override async Task<UploadedArtifact> CompleteSessionAsync(string id, string sha256, CancellationToken cancellationToken)
    {
        var stored = await pushes.CompleteAsync(repositoryId, Parse(id), sha256, $"upload {id}", cancellationToken);
        return new UploadedArtifact(stored.Sha256, stored.Size);
    }

    public override Task<bool> CancelSessionAsync(string id, CancellationToken cancellationToken) =>
        Guid.TryParseExact(id, "N", out var guid) ? pushes.CancelAsync(repositoryId, guid, cancellationToken) : Task.FromResult(false);

    public override async Task<UploadedArtifact> StoreAsync(Stream body, string? sha256, CancellationToken cancellationToken)
    {
        var stored = await pushes.StoreAsync(body, sha256, "the uploaded body", cancellationToken);
        return new UploadedArtifact(stored.Sha256, stored.Size);
    }

    public override Task AddPendingAsync(DeclaredContent unit, CancellationToken cancellationToken) =>
        pushes.AddPendingAsync(repositoryId, type, unit, cancellationToken);

    public override async Task<DeclaredContent?> FindAsync(string naturalKey, CancellationToken cancellationToken) =>
        (await pushes.ReadCurrentAsync(repositoryId, type, null, naturalKey, cancellationToken, withPending: true)).FirstOrDefault();

    public override Task<IReadOnlyList<DeclaredContent>> ReadCurrentAsync(string repoKeyPrefix, CancellationToken cancellationToken) =>
        pushes.ReadCurrentAsync(repositoryId, type, repoKeyPrefix, null, cancellationToken);

    public override async Task<long?> CommitAsync(IReadOnlyList<DeclaredContent> add, IReadOnlyList<string> removeRepoKeys, CancellationToken cancellationToken)
    {
        var outcome = await pushes.CommitAsync(repositoryId, Repository, type, add, removeRepoKeys, cancellationToken);
        if (!outcome.Created)
        {
            return null;
        }

        endpoint.Notifier.VersionCreated(ns, name);
        if (publishes)
        {
            await endpoint.WaitForPublicationAsync(repositoryId, outcome.Version, cancellationToken);
        }

        return outcome.Version;
    }

    public override async Task<DeclaredContent?> MountAsync(string fromBasePath, string naturalKey, CancellationToken cancellationToken)
    {
        if (await endpoint.Distributions.MatchAsync(fromBasePath, cancellationToken) is not ({ } from, "")
            || from.Type != type || !ContentRequestHandler.Authorized(http, from))
        {
            return null;
        }

        var units = await pushes.ReadCurrentAsync(from.RepositoryId, type, null, naturalKey, cancellationToken);
        if (units.Count == 0)
        {
            return null;
        }

        await pushes.AddPendingAsync(repositoryId, type, units[0], cancellationToken);
        return units[0];
    }

    private static Guid Parse(string id) =>
        Guid.TryParseExact(id, "N", out var guid) ? guid : throw new InvalidUploadException($"upload {id} is not known", 404);
}
