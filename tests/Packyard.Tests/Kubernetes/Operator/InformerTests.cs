using System.Collections.Concurrent;
using k8s.Models;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Operator;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes.Operator;

/// <summary>The runtime's informer on the real API server (a namespace of its own; see InformerResilienceTests for restarts).</summary>
public sealed class InformerTests() : NamespacedEnvtestTest("informer")
{

    [Fact]
    public async Task Informer_lists_in_pages_then_follows_changes_and_deletions()
    {
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync($"r{i}");
        }

        var informer = new Informer<Remote>(Client, KubernetesKinds.Remote, Namespace) { PageSize = 2 };
        var keys = new ConcurrentQueue<string>();
        informer.OnChange(keys.Enqueue);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(stop.Token);

        Assert.Equal(5, informer.Items.Count);
        await CreateAsync("late");
        await Client.DeleteAsync(KubernetesKinds.Remote, Namespace, "r0", stop.Token);
        await Eventually(() => informer.TryGet(Namespace, "late", out _) && !informer.TryGet(Namespace, "r0", out _));
        Assert.Contains($"{Namespace}/late", keys);
        Assert.Equal(2, keys.Count(k => k == $"{Namespace}/r0"));

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task An_informer_of_the_library_V1Secret_caches_secrets_with_their_data()
    {
        await Client.CreateAsync(KubernetesKinds.Secret, new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "credentials", NamespaceProperty = Namespace },
            StringData = new Dictionary<string, string> { ["password"] = "s3cret" },
        }, CancellationToken.None);
        var informer = new Informer<V1Secret>(Client, PackyardKinds.Secret, Namespace) { Transform = ResourceCache.Trimmed<V1Secret>() };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(stop.Token);

        Assert.True(informer.TryGet(Namespace, "credentials", out var secret));
        Assert.Null(secret!.Metadata.ManagedFields);
        var manifestShape = ResourceCache.AsManifestSecret(secret);
        Assert.Equal("s3cret", System.Text.Encoding.UTF8.GetString(manifestShape.DecodedEntries()["password"]));

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task The_resource_cache_drops_kubectls_last_applied_annotation_from_listed_and_watched_objects_and_keeps_the_others()
    {
        var applied = ResourceCache.LastAppliedAnnotation;
        await CreateAsync("listed", new() { [applied] = "{\"kind\":\"Remote\"}", ["packyard.io/requested-at"] = "one" });
        await CreateAsync("only-last-applied", new() { [applied] = "{}" });
        var informer = new Informer<Remote>(Client, KubernetesKinds.Remote, Namespace) { Transform = ResourceCache.Trimmed<Remote>() };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(stop.Token);
        await CreateAsync("watched", new() { [applied] = "{\"kind\":\"Remote\"}", ["packyard.io/requested-at"] = "two" });
        await Eventually(() => informer.TryGet(Namespace, "watched", out _));

        Assert.True(informer.TryGet(Namespace, "listed", out var listed));
        Assert.Equal(new Dictionary<string, string> { ["packyard.io/requested-at"] = "one" }, listed!.Metadata.Annotations);
        Assert.True(informer.TryGet(Namespace, "watched", out var watched));
        Assert.Equal(new Dictionary<string, string> { ["packyard.io/requested-at"] = "two" }, watched!.Metadata.Annotations);
        Assert.True(informer.TryGet(Namespace, "only-last-applied", out var bare));
        Assert.Null(bare!.Metadata.Annotations);
        Assert.Null(listed.Metadata.ManagedFields);
        var stored = await Client.GetAsync(KubernetesKinds.Remote, Namespace, "listed", stop.Token);
        Assert.Equal("{\"kind\":\"Remote\"}", stored.Metadata.Annotations![applied]);

        await stop.CancelAsync();
        await running;
    }

    private Task<Remote> CreateAsync(string name, Dictionary<string, string>? annotations = null) => Client.CreateAsync(KubernetesKinds.Remote, new Remote
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace, Annotations = annotations },
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
