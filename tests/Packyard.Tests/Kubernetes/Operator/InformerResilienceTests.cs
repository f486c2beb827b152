using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s.Models;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes.Operator;

/// <summary>
/// The informer across real kube-apiserver restarts (etcd kept): every watch connection drops, and the server's new watch cache
/// may answer the informer's resourceVersion with 410 Gone. Whether it resumes or lists again, it must miss no update.
/// The control plane is this class's own (restarting the shared one would disturb other test classes).
/// </summary>
public sealed class InformerResilienceTests(InformerResilienceTests.RestartableEnvironment fixture)
    : IClassFixture<InformerResilienceTests.RestartableEnvironment>, IAsyncLifetime
{
    private KubernetesEnvironment environment = null!;
    private ResourceClient client = null!;
    private string ns = null!;

    public async Task InitializeAsync()
    {
        environment = fixture.Environment;
        ns = await environment.CreateNamespaceAsync("resilience");
        // A connection the stopped server left half-open is noticed after 3 s of silence instead of 2 minutes.
        client = new ResourceClient(new k8s.Kubernetes(environment.Configuration()), ownsKubernetes: true)
        {
            WatchReconnectDelay = TimeSpan.FromMilliseconds(50),
            WatchIdleTimeout = TimeSpan.FromSeconds(3),
        };
    }

    public Task DisposeAsync()
    {
        client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task After_an_API_server_restart_the_informer_delivers_every_change_and_drops_deleted_objects()
    {
        await CreateAsync("kept");
        await CreateAsync("changed");
        await CreateAsync("deleted");
        var (informer, keys, stop, running) = await StartAsync();

        await environment.RestartApiServerAsync();
        await CreateAsync("added");
        await PatchAsync("changed", 3);
        await client.DeleteAsync(KubernetesKinds.Remote, ns, "deleted", CancellationToken.None);

        await EventuallyAsync(() => SameAsServerAsync(informer));
        Assert.Contains($"{ns}/added", keys);
        Assert.Contains($"{ns}/changed", keys);
        Assert.Contains($"{ns}/deleted", keys);
        Assert.False(informer.TryGet(ns, "deleted", out _));
        Assert.Equal(3, informer.TryGet(ns, "changed", out var changed) ? changed!.Spec.DownloadConcurrency : 0);

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Repeated_restarts_between_updates_lose_no_update()
    {
        await CreateAsync("busy");
        var (informer, _, stop, running) = await StartAsync();

        for (var concurrency = 1; concurrency <= 2; concurrency++)
        {
            await environment.RestartApiServerAsync();
            await PatchAsync("busy", concurrency);
        }

        await EventuallyAsync(() => SameAsServerAsync(informer));
        Assert.Equal(2, informer.TryGet(ns, "busy", out var busy) ? busy!.Spec.DownloadConcurrency : 0);

        await stop.CancelAsync();
        await running;
    }

    private async Task<(Informer<Remote>, ConcurrentQueue<string>, CancellationTokenSource, Task)> StartAsync()
    {
        var informer = new Informer<Remote>(client, KubernetesKinds.Remote, ns) { RetryDelay = TimeSpan.FromMilliseconds(100) };
        var keys = new ConcurrentQueue<string>();
        informer.OnChange(keys.Enqueue);
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(stop.Token);
        keys.Clear();
        return (informer, keys, stop, running);
    }

    /// <summary>The cache holds exactly the server's objects, each at the server's resourceVersion.</summary>
    private async Task<bool> SameAsServerAsync(Informer<Remote> informer)
    {
        var stored = (await client.ListAsync(KubernetesKinds.Remote, ns, null, CancellationToken.None)).Items
            .ToDictionary(r => r.Name, r => r.Metadata.ResourceVersion ?? "", StringComparer.Ordinal);
        var cached = informer.Items.ToDictionary(r => r.Name, r => r.Metadata.ResourceVersion ?? "", StringComparer.Ordinal);
        return stored.Count == cached.Count && stored.All(pair => cached.GetValueOrDefault(pair.Key) == pair.Value);
    }

    private Task<Remote> CreateAsync(string name) => client.CreateAsync(KubernetesKinds.Remote, new Remote
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RemoteSpec { Type = ContentType.File, Url = "https://example.com/files/" },
    }, CancellationToken.None);

    private Task<Remote> PatchAsync(string name, int concurrency) => client.PatchAsync(KubernetesKinds.Remote, ns, name,
        KubernetesPatch.Merge(new JsonObject { ["spec"] = new JsonObject { ["downloadConcurrency"] = concurrency } }), null, CancellationToken.None);

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The condition did not become true in 20 s.");
            await Task.Delay(100);
        }
    }

    /// <summary>A control plane of this class's own, which its tests restart.</summary>
    public sealed class RestartableEnvironment : IAsyncLifetime
    {
        public KubernetesEnvironment Environment { get; private set; } = null!;

        public async Task InitializeAsync() => Environment = await KubernetesEnvironment.StartAsync();

        public async Task DisposeAsync() => await Environment.DisposeAsync();
    }
}
