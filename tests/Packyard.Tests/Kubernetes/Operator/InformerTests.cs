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

    private Task<Remote> CreateAsync(string name) => client.CreateAsync(KubernetesKinds.Remote, new Remote
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
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
