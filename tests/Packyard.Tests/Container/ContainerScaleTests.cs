using System.Diagnostics;
using Xunit.Abstractions;

namespace Packyard.Tests.Container;

/// <summary>A repository of 1,000 tags: an OnDemand sync and an unchanged re-sync, timed (the bounds: 30 s and 5 s).</summary>
public sealed class ContainerScaleTests(ContainerFixture app, ITestOutputHelper output) : IClassFixture<ContainerFixture>
{
    [Fact]
    public async Task Thousand_tags_sync_on_demand_and_an_unchanged_resync_makes_no_version()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        for (var i = 0; i < 1000; i++)
        {
            registry.Tag("many", $"1.{i}", TestImages.AddImage(registry, seed: 1000 + i, layers: 1).Digest);
        }

        var repository = await app.ContainerRepositoryAsync();
        var watch = Stopwatch.StartNew();
        var first = await app.SyncAsync(repository, registry.Url, """{"upstreamName":"many"}""", Packyard.Api.Resources.DownloadPolicy.OnDemand);
        var firstTime = watch.Elapsed;
        watch.Restart();
        var again = await app.SyncAsync(repository, registry.Url, """{"upstreamName":"many"}""", Packyard.Api.Resources.DownloadPolicy.OnDemand);
        var againTime = watch.Elapsed;
        output.WriteLine($"1,000 tags: OnDemand sync {firstTime.TotalSeconds:0.0} s, unchanged re-sync {againTime.TotalSeconds:0.0} s");

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.Version, again.Version);
        Assert.True(firstTime < TimeSpan.FromSeconds(30), $"first sync took {firstTime}");
        Assert.True(againTime < TimeSpan.FromSeconds(5), $"unchanged re-sync took {againTime}");
        using var served = await app.Http.GetAsync($"/v2/{repository.BasePath}/manifests/1.999");
        Assert.Equal(System.Net.HttpStatusCode.OK, served.StatusCode);
    }
}
