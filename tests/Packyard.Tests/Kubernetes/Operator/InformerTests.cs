using System.Collections.Concurrent;
using Packyard.Api.Resources;
using Packyard.Kubernetes;
using Packyard.Kubernetes.Configuration;
using Packyard.Operator;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Kubernetes.Operator;

public sealed class InformerTests : IAsyncLifetime
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
    public async Task Informer_lists_in_pages_then_follows_changes_and_deletions()
    {
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync($"r{i}");
        }

        var informer = new Informer<Remote>(client, KubernetesKinds.Remote, null) { PageSize = 2 };
        var keys = new ConcurrentQueue<string>();
        informer.OnChange(keys.Enqueue);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(stop.Token);

        Assert.Equal(5, informer.Items.Count);
        await CreateAsync("late");
        await client.DeleteAsync(KubernetesKinds.Remote, "default", "r0", null, stop.Token);
        await Eventually(() => informer.TryGet("default", "late", out _) && !informer.TryGet("default", "r0", out _));
        Assert.Contains("default/late", keys);
        Assert.Equal(2, keys.Count(k => k == "default/r0"));

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Informer_lists_again_after_410_Gone_and_misses_nothing()
    {
        await CreateAsync("first");
        var informer = new Informer<Remote>(client, KubernetesKinds.Remote, "default");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(stop.Token);
        await Eventually(() => server.Store.WatchCount == 1);

        server.Store.HistoryLimit = 0;
        server.Store.DropWatches();
        await CreateAsync("while-disconnected");
        server.Store.HistoryLimit = 100_000;

        await Eventually(() => informer.TryGet("default", "while-disconnected", out _));
        Assert.Contains(server.Requests, r => r.PathAndQuery.StartsWith("/apis/packyard.io/v1alpha1/namespaces/default/remotes?limit", StringComparison.Ordinal));

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task The_resource_cache_drops_kubectls_last_applied_annotation_from_listed_and_watched_objects_and_keeps_the_others()
    {
        var applied = ResourceCache.LastAppliedAnnotation;
        await CreateAsync("listed", new() { [applied] = "{\"kind\":\"Remote\"}", ["packyard.io/requested-at"] = "one" });
        await CreateAsync("only-last-applied", new() { [applied] = "{}" });
        var informer = new Informer<Remote>(client, KubernetesKinds.Remote, "default") { Transform = ResourceCache.WithoutLastApplied(KubernetesKinds.Remote) };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(stop.Token);
        await CreateAsync("watched", new() { [applied] = "{\"kind\":\"Remote\"}", ["packyard.io/requested-at"] = "two" });
        await Eventually(() => informer.TryGet("default", "watched", out _));

        Assert.True(informer.TryGet("default", "listed", out var listed));
        Assert.Equal(new Dictionary<string, string> { ["packyard.io/requested-at"] = "one" }, listed!.Metadata.Annotations);
        Assert.True(informer.TryGet("default", "watched", out var watched));
        Assert.Equal(new Dictionary<string, string> { ["packyard.io/requested-at"] = "two" }, watched!.Metadata.Annotations);
        Assert.True(informer.TryGet("default", "only-last-applied", out var bare));
        Assert.Null(bare!.Metadata.Annotations);
        var stored = await client.GetAsync(KubernetesKinds.Remote, "default", "listed", stop.Token);
        Assert.Equal("{\"kind\":\"Remote\"}", stored.Metadata.Annotations![applied]);

        await stop.CancelAsync();
        await running;
    }

    private Task<Remote> CreateAsync(string name, Dictionary<string, string>? annotations = null) => client.CreateAsync(KubernetesKinds.Remote, new Remote
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default", Annotations = annotations },
        Spec = new RemoteSpec { Type = ContentType.File, Url = "https://example.com/files/" },
    }, CancellationToken.None);

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The condition did not become true in 10 s.");
            await Task.Delay(20);
        }
    }
}
