using k8s.Models;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Engine.Secrets;
using Packyard.Engine.Tasks;

namespace Packyard.Tests.Controllers.Fakes;

/// <summary>
/// Everything a reconciler talks to, in memory: the engine ports, the resources it looks up, the events it records and a
/// clock the test moves. Resources are in namespace default.
/// </summary>
internal sealed class ReconcileWorld
{
    public static readonly DateTimeOffset Start = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    public ReconcileWorld()
    {
        Tasks = new InMemoryTaskQueue(Time);
        Syncs = new InMemorySyncDispatcher(Catalog, Time);
    }

    public ManualTime Time { get; } = new(Start);

    public InMemoryCatalog Catalog { get; } = new();

    public InMemoryTaskQueue Tasks { get; }

    public InMemorySyncDispatcher Syncs { get; }

    public RecordingPruner Pruner { get; } = new();

    public RecordingEvents Events { get; } = new();

    public InMemoryResources Resources { get; } = new();

    public SecretCipher Secrets { get; } = new(Enumerable.Range(1, SecretCipher.KeySize).Select(i => (byte)i).ToArray());

    public SyncRetryOptions Retry { get; set; } = new();

    public ReconcileServices Services =>
        new(Catalog, Catalog, Catalog, Tasks, Tasks, Pruner, Syncs, Events, Time, new ContentUrl("http://packyard.test/"), Retry, Secrets);

    public Remote AddRemote(string name = "upstream", ContentType type = ContentType.File, string url = "https://upstream.test/files/") =>
        Resources.Add(new Remote { Metadata = Meta(name), Spec = new RemoteSpec { Type = type, Url = url } });

    /// <summary>A Repository of <paramref name="type"/> syncing from <paramref name="remote"/> (none when null).</summary>
    public Repository AddRepository(string name = "files", ContentType type = ContentType.File, string? remote = "upstream") =>
        Resources.Add(new Repository
        {
            Metadata = Meta(name),
            Spec = new RepositorySpec { Type = type, RemoteRef = remote is null ? null : new LocalObjectReference { Name = remote } },
        });

    /// <summary>The engine's repository of that name (it must exist).</summary>
    public StoredRepository Stored(string name = "files") => Catalog.Get("default", name);

    public Task<StepResult> ReconcileAsync(Repository repository) =>
        new RepositoryReconciler(Services, Resources).ReconcileAsync(repository, CancellationToken.None);

    /// <summary>A worker publishes <paramref name="version"/> of the repository: the publish task succeeds and the publication exists.</summary>
    public void Publish(string name, long version)
    {
        var repository = Stored(name);
        Tasks.FinishPublish(repository.Id, version, succeeded: true);
        repository.Publications[version] = Time.GetUtcNow();
    }

    /// <summary>The publish task of <paramref name="version"/> a worker claims.</summary>
    public void StartPublish(string name, long version) => Tasks.Start(TaskKinds.Publish, TaskQueue.PublishKey(Stored(name).Id, version));

    public static V1ObjectMeta Meta(string name) => new() { Name = name, NamespaceProperty = "default", Generation = 1 };
}
