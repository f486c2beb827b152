using Packyard.Tests.Infrastructure;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Runtime;

/// <summary>Standalone mode: <c>packyard run</c> on a manifests folder of its own; status from <c>GET /api/v1/resources</c>.</summary>
public sealed class StandaloneDriver : IModeDriver
{
    private readonly StandaloneWorkspace workspace = new();
    private PackyardProcess? packyard;

    private StandaloneDriver()
    {
    }

    public static async Task<StandaloneDriver> StartAsync(string name)
    {
        var driver = new StandaloneDriver();
        driver.packyard = PackyardProcess.Start(driver.workspace.Manifests, driver.workspace.Data, await PostgresCluster.CreateDatabaseAsync(name));
        await driver.packyard.WaitForAsync("packyard answers", _ => true);
        return driver;
    }

    private PackyardProcess Packyard => packyard ?? throw new InvalidOperationException("not started");

    public HttpClient Http => Packyard.Http;

    public string Output => Packyard.Output;

    public Task ApplyAsync(string file, string yaml)
    {
        workspace.Write(file + ".yaml", yaml);
        return Task.CompletedTask;
    }

    public async Task<string?> TryApplyAsync(string file, string yaml)
    {
        await ApplyAsync(file, yaml);
        return null;
    }

    public Task DeleteAsync(string file)
    {
        File.Delete(workspace.PathOf(file + ".yaml"));
        return Task.CompletedTask;
    }

    public async Task<ResourceState?> GetAsync(string kind, string name)
    {
        if (await Packyard.TryGetResourcesAsync() is not { } items)
        {
            return null;
        }

        var snapshot = new ResourceSnapshot(items);
        return snapshot.Find(kind, name) is { } resource ? new ResourceState((long?)resource["generation"], snapshot.Status(kind, name)) : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (packyard is not null)
        {
            await packyard.DisposeAsync();
        }

        workspace.Dispose();
    }
}
