using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Packyard.Api.Resources;
using Packyard.Engine.Catalog;
using Packyard.Engine.Downloads;
using Packyard.Engine.Publishing;
using Packyard.Engine.Sync;

namespace Packyard.Server;

/// <summary>
/// Fetches content a pull-through distribution was asked for but does not have: names requested for the same
/// repository within <see cref="PullThroughOptions.BatchWindow"/> are synced together (Additive) from the distribution's pull-through
/// remote into one new version, which is then published. Batches of one repository run one at a time; a name already in the
/// running batch waits for it instead of starting another (concurrent clients fetch it from upstream once). The sync declares
/// artifacts without downloading them (an Immediate remote is synced OnDemand): each is fetched, stored and streamed when a
/// client asks for it, so a client never waits for artifacts it did not ask for.
/// </summary>
public sealed partial class PullThroughService(EngineCatalog catalog, SyncService sync, PublicationService publications,
    DistributionCache distributions, PullThroughOptions options, TimeProvider time, ILogger<PullThroughService> logger)
{
    /// <summary>How long a pull-through remote's settings are reused before they are read from the catalog again.</summary>
    private static readonly TimeSpan RemoteMaxAge = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private readonly Dictionary<long, Batch> pending = [];
    private readonly Dictionary<long, Batch> inProgress = [];
    private readonly Dictionary<long, Batch> finished = [];
    private readonly ConcurrentDictionary<long, SemaphoreSlim> running = new();
    private readonly ConcurrentDictionary<long, (DateTimeOffset Loaded, RemoteSettings? Remote)> remotes = new();

    /// <summary>The settings of pull-through remote <paramref name="remoteId"/>, cached briefly (every request of a pull-through distribution asks).</summary>
    public async Task<RemoteSettings?> GetRemoteAsync(long remoteId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (remotes.TryGetValue(remoteId, out var cached) && now - cached.Loaded < RemoteMaxAge)
        {
            return cached.Remote;
        }

        var remote = await catalog.GetRemoteAsync(remoteId, cancellationToken);
        remotes[remoteId] = (now, remote);
        return remote;
    }

    /// <summary>Completes when <paramref name="name"/> has been synced and published (or the remote did not have it).</summary>
    public Task PullAsync(ServedDistribution distribution, string name, CancellationToken cancellationToken)
    {
        Batch? batch;
        var start = false;
        lock (gate)
        {
            if ((inProgress.TryGetValue(distribution.RepositoryId, out var current) && current.Names.Contains(name))
                || (finished.TryGetValue(distribution.RepositoryId, out current) && current.Names.Contains(name)
                    && time.GetUtcNow() - current.Finished < options.BatchWindow))
            {
                // A request that looked before the batch's version was published: that version has its name.
                batch = current;
            }
            else if (!pending.TryGetValue(distribution.RepositoryId, out batch))
            {
                batch = new Batch();
                pending[distribution.RepositoryId] = batch;
                start = true;
            }

            batch.Names.Add(name);
        }

        if (start)
        {
            _ = RunAsync(distribution, batch);
        }

        return batch.Completion.Task.WaitAsync(cancellationToken);
    }

    // Not cancelled by the requester going away: other requests wait on the same batch.
    private async Task RunAsync(ServedDistribution distribution, Batch batch)
    {
        var repositoryGate = running.GetOrAdd(distribution.RepositoryId, _ => new SemaphoreSlim(1, 1));
        try
        {
            await Task.Delay(options.BatchWindow);
            string[] names;
            lock (gate)
            {
                pending.Remove(distribution.RepositoryId);
                names = [.. batch.Names];
            }

            await repositoryGate.WaitAsync();
            lock (gate)
            {
                inProgress[distribution.RepositoryId] = batch;
            }

            try
            {
                var remote = await catalog.GetRemoteAsync(distribution.PullThroughRemoteId!.Value, CancellationToken.None)
                    ?? throw new UpstreamUnavailableException($"the pull-through remote of distribution {distribution.Namespace}/{distribution.Name} no longer exists");
                if (remote.Policy == DownloadPolicy.Immediate)
                {
                    remote = remote with { Policy = DownloadPolicy.OnDemand };
                }

                var repositoryName = $"{distribution.Namespace}/{distribution.Name} (pull-through)";
                var outcome = await sync.SyncAsync(new SyncRequest(distribution.RepositoryId, repositoryName, distribution.PullThroughRemoteId.Value, remote,
                    SyncMode.Additive, names), null, CancellationToken.None);
                if (outcome.Created)
                {
                    await publications.PublishAsync(distribution.RepositoryId, repositoryName, distribution.Type, outcome.Version, PublishOptions.None, CancellationToken.None);
                    distributions.Invalidate();
                }

                LogPulled(logger, distribution.BasePath, string.Join(", ", names), outcome.Added, outcome.Version);
            }
            finally
            {
                lock (gate)
                {
                    inProgress.Remove(distribution.RepositoryId);
                    batch.Finished = time.GetUtcNow();
                    finished[distribution.RepositoryId] = batch;
                }

                repositoryGate.Release();
            }

            batch.Completion.TrySetResult();
        }
        catch (Exception e)
        {
            batch.Completion.TrySetException(e);
        }
    }

    [LoggerMessage(EventId = Engine.PackyardEventIds.PullThrough, Level = LogLevel.Information,
        Message = "Pull-through for {BasePath}: {Names} gave {Added} new units, repository version {Version}")]
    private static partial void LogPulled(ILogger logger, string basePath, string names, long added, long version);

    private sealed class Batch
    {
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DateTimeOffset Finished { get; set; }
    }
}
