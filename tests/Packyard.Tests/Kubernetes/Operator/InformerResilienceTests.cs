using System.Collections.Concurrent;
using Packyard.Api.Resources;
using Packyard.Kubernetes;
using Packyard.Operator;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Kubernetes.Operator;

/// <summary>
/// The informer against a test API server that breaks its watches: whatever changed while the connection was down
/// (creates, updates, deletes) reaches the cache and the handlers, by resuming from the last resourceVersion when the
/// server still has the history and by listing again after 410 Gone when it does not.
/// </summary>
public sealed class InformerResilienceTests : IAsyncLifetime
{
    private ApiServerSession session = null!;
    private TestApiServer server = null!;
    private KubernetesClient client = null!;

    public async Task InitializeAsync()
    {
        session = await ApiServerSession.StartAsync();
        (server, client) = (session.Server, session.Client);
    }

    public async Task DisposeAsync() => await session.DisposeAsync();

    [Fact]
    public async Task A_dropped_watch_resumes_from_its_resource_version_and_delivers_every_change_made_while_down_without_listing_again()
    {
        await CreateAsync("kept");
        await CreateAsync("changed");
        await CreateAsync("deleted");
        var (informer, keys, stop, running) = await StartAsync();
        var lists = Lists();

        server.Store.DropWatches();
        await CreateAsync("added");
        await PatchAsync("changed", 3);
        await client.DeleteAsync(KubernetesKinds.Remote, "default", "deleted", null, CancellationToken.None);

        await Eventually(() => SameAsServer(informer));
        Assert.Equal(lists, Lists());
        Assert.Contains("default/added", keys);
        Assert.Contains("default/changed", keys);
        Assert.Contains("default/deleted", keys);
        Assert.DoesNotContain("default/kept", keys);
        Assert.Equal(3, informer.TryGet("default", "changed", out var changed) ? changed!.Spec.DownloadConcurrency : 0);

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task After_410_Gone_the_relist_removes_objects_deleted_while_down_and_applies_updates()
    {
        await CreateAsync("kept");
        await CreateAsync("changed");
        await CreateAsync("deleted");
        var (informer, keys, stop, running) = await StartAsync();
        var lists = Lists();

        server.Store.HistoryLimit = 0;
        server.Store.DropWatches();
        await PatchAsync("changed", 5);
        await client.DeleteAsync(KubernetesKinds.Remote, "default", "deleted", null, CancellationToken.None);
        await CreateAsync("added");
        server.Store.HistoryLimit = 100_000;

        await Eventually(() => SameAsServer(informer));
        Assert.True(Lists() > lists, "The informer did not list again after 410 Gone.");
        Assert.False(informer.TryGet("default", "deleted", out _));
        Assert.Equal(5, informer.TryGet("default", "changed", out var changed) ? changed!.Spec.DownloadConcurrency : 0);
        Assert.Equal(["default/added", "default/changed", "default/deleted"], keys.Distinct().Order(StringComparer.Ordinal));

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Repeated_drops_between_updates_lose_no_update()
    {
        await CreateAsync("busy");
        var (informer, _, stop, running) = await StartAsync();

        for (var concurrency = 1; concurrency <= 6; concurrency++)
        {
            server.Store.DropWatches();
            await PatchAsync("busy", concurrency);
            if (concurrency % 2 == 0)
            {
                await Eventually(() => server.Store.WatchCount == 1);
            }
        }

        await Eventually(() => SameAsServer(informer));
        Assert.Equal(6, informer.TryGet("default", "busy", out var busy) ? busy!.Spec.DownloadConcurrency : 0);

        await stop.CancelAsync();
        await running;
    }

    private async Task<(Informer<Remote>, ConcurrentQueue<string>, CancellationTokenSource, Task)> StartAsync()
    {
        var informer = new Informer<Remote>(client, KubernetesKinds.Remote, "default") { RetryDelay = TimeSpan.FromMilliseconds(50) };
        var keys = new ConcurrentQueue<string>();
        informer.OnChange(keys.Enqueue);
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(stop.Token);
        await Eventually(() => server.Store.WatchCount == 1);
        keys.Clear();
        return (informer, keys, stop, running);
    }

    /// <summary>The cache holds exactly the server's objects, each at the server's resourceVersion.</summary>
    private bool SameAsServer(Informer<Remote> informer)
    {
        var stored = server.Store.List(server.Resource("packyard.io", "remotes"), "default")
            .ToDictionary(o => o["metadata"]!["name"]!.GetValue<string>(), o => o["metadata"]!["resourceVersion"]!.GetValue<string>(), StringComparer.Ordinal);
        var cached = informer.Items.ToDictionary(r => r.Name, r => r.Metadata.ResourceVersion ?? "", StringComparer.Ordinal);
        return stored.Count == cached.Count && stored.All(pair => cached.GetValueOrDefault(pair.Key) == pair.Value);
    }

    private int Lists() => server.Requests.Count(r => r.Verb == "list" && r.Attributes?.Resource == "remotes");

    private Task<Remote> CreateAsync(string name) => client.CreateAsync(KubernetesKinds.Remote, new Remote
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new RemoteSpec { Type = ContentType.File, Url = "https://example.com/files/" },
    }, CancellationToken.None);

    private Task<Remote> PatchAsync(string name, int concurrency) => client.PatchAsync(KubernetesKinds.Remote, "default", name,
        KubernetesPatch.Merge(new System.Text.Json.Nodes.JsonObject { ["spec"] = new System.Text.Json.Nodes.JsonObject { ["downloadConcurrency"] = concurrency } }),
        null, CancellationToken.None);

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The condition did not become true in 15 s.");
            await Task.Delay(20);
        }
    }
}
