using Packyard.Api.Resources;
using Packyard.Kubernetes;
using Packyard.Kubernetes.Configuration;
using Packyard.Kubernetes.Models;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Kubernetes;

/// <summary>Watch through the client: ordering, bookmarks, resume after a dropped connection, 410 Gone and relist.</summary>
public sealed class KubernetesWatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
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
    public async Task Watch_without_a_resource_version_starts_with_the_current_objects_then_streams_changes_in_order()
    {
        using var cancel = new CancellationTokenSource(Patience);
        await CreateAsync("a", cancel.Token);
        await using var events = client.WatchAsync(KubernetesKinds.Remote, "default", null, cancel.Token).GetAsyncEnumerator(cancel.Token);

        var first = await NextChangeAsync(events);
        await CreateAsync("b", cancel.Token);
        await client.DeleteAsync(KubernetesKinds.Remote, "default", "a", null, cancel.Token);

        Assert.Equal((WatchEventType.Added, "a"), (first.Type, first.Object!.Name));
        var second = await NextChangeAsync(events);
        var third = await NextChangeAsync(events);
        Assert.Equal((WatchEventType.Added, "b"), (second.Type, second.Object!.Name));
        Assert.Equal((WatchEventType.Deleted, "a"), (third.Type, third.Object!.Name));
        Assert.True(long.Parse(third.Object.Metadata.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture)
            > long.Parse(second.Object.Metadata.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Watch_receives_bookmarks_at_the_current_resource_version()
    {
        using var cancel = new CancellationTokenSource(Patience);
        var list = await client.ListAsync(KubernetesKinds.Remote, "default", null, cancel.Token);
        await using var events = client.WatchAsync(KubernetesKinds.Remote, "default", new ListOptions { ResourceVersion = list.Metadata.ResourceVersion }, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);

        Assert.True(await events.MoveNextAsync());

        Assert.Equal(WatchEventType.Bookmark, events.Current.Type);
        Assert.Equal(list.Metadata.ResourceVersion, events.Current.Object!.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Watch_resumes_after_the_server_drops_the_connection_without_losing_or_repeating_events()
    {
        using var cancel = new CancellationTokenSource(Patience);
        var list = await client.ListAsync(KubernetesKinds.Remote, "default", null, cancel.Token);
        await using var events = client.WatchAsync(KubernetesKinds.Remote, "default", new ListOptions { ResourceVersion = list.Metadata.ResourceVersion }, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        await CreateAsync("before", cancel.Token);
        Assert.Equal("before", (await NextChangeAsync(events)).Object!.Name);

        server.Store.DropWatches();
        await CreateAsync("during", cancel.Token);
        await CreateAsync("after", cancel.Token);

        Assert.Equal("during", (await NextChangeAsync(events)).Object!.Name);
        Assert.Equal("after", (await NextChangeAsync(events)).Object!.Name);
        Assert.True(server.Requests.Count(r => r.PathAndQuery.Contains("watch=1", StringComparison.Ordinal)) >= 2);
    }

    [Fact]
    public async Task Watch_from_a_compacted_resource_version_throws_ResourceExpired_and_a_relist_recovers()
    {
        using var cancel = new CancellationTokenSource(Patience);
        var list = await client.ListAsync(KubernetesKinds.Remote, "default", null, cancel.Token);
        await CreateAsync("missed", cancel.Token);
        server.Store.Compact();

        var error = await Assert.ThrowsAsync<ResourceExpiredException>(async () =>
        {
            await foreach (var unused in client.WatchAsync(KubernetesKinds.Remote, "default", new ListOptions { ResourceVersion = list.Metadata.ResourceVersion }, cancel.Token))
            {
            }
        });
        Assert.Equal("Expired", error.Reason);

        var relist = await client.ListAsync(KubernetesKinds.Remote, "default", null, cancel.Token);
        Assert.Contains(relist.Items, r => r.Name == "missed");
        await using var events = client.WatchAsync(KubernetesKinds.Remote, "default", new ListOptions { ResourceVersion = relist.Metadata.ResourceVersion }, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        await CreateAsync("next", cancel.Token);
        Assert.Equal("next", (await NextChangeAsync(events)).Object!.Name);
    }

    [Fact]
    public async Task A_continue_token_older_than_the_retained_history_is_410_Gone()
    {
        using var cancel = new CancellationTokenSource(Patience);
        await CreateAsync("one", cancel.Token);
        await CreateAsync("two", cancel.Token);
        var page = await client.ListAsync(KubernetesKinds.Remote, "default", new ListOptions { Limit = 1 }, cancel.Token);
        await CreateAsync("three", cancel.Token);
        server.Store.Compact();

        await Assert.ThrowsAsync<ResourceExpiredException>(() =>
            client.ListAsync(KubernetesKinds.Remote, "default", new ListOptions { Limit = 1, Continue = page.Metadata.Continue }, cancel.Token));
    }

    [Fact]
    public async Task Watch_with_a_field_selector_sees_only_the_named_object()
    {
        using var cancel = new CancellationTokenSource(Patience);
        await using var events = client.WatchAsync(KubernetesKinds.Remote, "default", new ListOptions { FieldSelector = "metadata.name=wanted" }, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        await CreateAsync("other", cancel.Token);
        await CreateAsync("wanted", cancel.Token);

        Assert.Equal("wanted", (await NextChangeAsync(events)).Object!.Name);
    }

    private static async Task<WatchEvent<Remote>> NextChangeAsync(IAsyncEnumerator<WatchEvent<Remote>> events)
    {
        while (await events.MoveNextAsync())
        {
            if (events.Current.Type != WatchEventType.Bookmark)
            {
                return events.Current;
            }
        }

        throw new InvalidOperationException("The watch ended.");
    }

    private Task<Remote> CreateAsync(string name, CancellationToken cancellationToken) =>
        client.CreateAsync(KubernetesKinds.Remote, new Remote
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Spec = new RemoteSpec { Type = ContentType.File, Url = "https://example.com/files/" },
        }, cancellationToken);
}
