using k8s;
using k8s.Models;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// The resource client's watch against the real API server: ordering, bookmarks, resume after the server ends the
/// connection, 410 Gone and relist.
/// </summary>
public sealed class KubernetesWatchTests() : NamespacedEnvtestTest("watch")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Watch_without_a_resource_version_starts_with_the_current_objects_then_streams_changes_in_order()
    {
        using var cancel = new CancellationTokenSource(Patience);
        await CreateAsync("a", cancel.Token);
        await using var events = Client.WatchAsync(KubernetesKinds.Remote, Namespace, null, cancel.Token).GetAsyncEnumerator(cancel.Token);

        var first = await NextChangeAsync(events);
        await CreateAsync("b", cancel.Token);
        await Client.DeleteAsync(KubernetesKinds.Remote, Namespace, "a", cancel.Token);

        Assert.Equal((WatchEventType.Added, "a"), (first.Type, first.Object!.Name));
        var second = await NextChangeAsync(events);
        var third = await NextChangeAsync(events);
        Assert.Equal((WatchEventType.Added, "b"), (second.Type, second.Object!.Name));
        Assert.Equal((WatchEventType.Deleted, "a"), (third.Type, third.Object!.Name));
        Assert.True(long.Parse(third.Object.Metadata.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture)
            > long.Parse(second.Object.Metadata.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Watch_resumes_after_the_server_ends_the_connection_without_losing_or_repeating_events()
    {
        using var cancel = new CancellationTokenSource(Patience);
        var list = await Client.ListAsync(KubernetesKinds.Remote, Namespace, null, cancel.Token);
        var mark = Environment.Audit.Mark();
        // The server ends each watch after 1 s; the client reconnects from the last resourceVersion it saw.
        await using var events = Client.WatchAsync(KubernetesKinds.Remote, Namespace, new ListOptions { ResourceVersion = list.ResourceVersion, TimeoutSeconds = 1 }, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        var seen = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await CreateAsync($"r{i}", cancel.Token);
            seen.Add((await NextChangeAsync(events)).Object!.Name);
            await Task.Delay(1200, cancel.Token);
        }

        Assert.Equal(["r0", "r1", "r2", "r3"], seen);
        var watches = Environment.Audit.Since(mark).Where(e => e.Verb == "watch" && e.Resource == "remotes" && e.Namespace == Namespace).ToList();
        Assert.True(watches.Count >= 3, $"{watches.Count} watch requests");
        Assert.All(watches, w => Assert.Contains("resourceVersion=", w.RequestUri, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watch_from_a_resource_version_older_than_the_server_keeps_throws_ResourceExpired_and_a_relist_recovers()
    {
        using var cancel = new CancellationTokenSource(Patience);
        await CreateAsync("missed", cancel.Token);

        var error = await Assert.ThrowsAsync<ResourceExpiredException>(async () =>
        {
            await foreach (var unused in Client.WatchAsync(KubernetesKinds.Remote, Namespace, new ListOptions { ResourceVersion = "1" }, cancel.Token))
            {
            }
        });
        Assert.Equal(System.Net.HttpStatusCode.Gone, error.StatusCode);

        var relist = await Client.ListAsync(KubernetesKinds.Remote, Namespace, null, cancel.Token);
        Assert.Contains(relist.Items, r => r.Name == "missed");
        await using var events = Client.WatchAsync(KubernetesKinds.Remote, Namespace, new ListOptions { ResourceVersion = relist.ResourceVersion }, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        await CreateAsync("next", cancel.Token);
        Assert.Equal("next", (await NextChangeAsync(events)).Object!.Name);
    }

    [Fact]
    public async Task Watch_with_a_field_selector_sees_only_the_named_object()
    {
        using var cancel = new CancellationTokenSource(Patience);
        await using var events = Client.WatchAsync(KubernetesKinds.Remote, Namespace, new ListOptions { FieldSelector = "metadata.name=wanted" }, cancel.Token)
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
        Client.CreateAsync(KubernetesKinds.Remote, new Remote
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Spec = new RemoteSpec { Type = ContentType.File, Url = "https://example.com/files/" },
        }, cancellationToken);
}
