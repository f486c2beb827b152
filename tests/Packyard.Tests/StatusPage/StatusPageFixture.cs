using System.Net.Http.Headers;
using System.Text;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.StatusPage;

/// <summary>
/// One real <c>packyard run</c> for the status page tests, with a Distribution of every content type: a file repository synced
/// (version 1) and uploaded into (version 2), empty python, deb, rpm and container repositories taking uploads, and a
/// Repository whose schedule is an injected <c>&lt;script&gt;</c> (its Stalled message and manifest error carry it); and one
/// headless Chromium.
/// </summary>
public sealed class StatusPageFixture : IAsyncLifetime
{
    public const string Token = "status-page-tests-token";
    public const string Injected = "<script>alert(1)</script>";

    private const string Manifests = """
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: files, namespace: default}
        spec: {type: file, url: "file:upstream/"}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: files, namespace: default}
        spec:
          type: file
          remoteRef: {name: files}
          uploads: {enabled: true}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: files, namespace: default}
        spec: {basePath: files/site, repositoryRef: {name: files}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: wheels, namespace: default}
        spec: {type: python, uploads: {enabled: true}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: wheels, namespace: default}
        spec: {basePath: python/wheels, repositoryRef: {name: wheels}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: debs, namespace: default}
        spec: {type: deb, uploads: {enabled: true}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: debs, namespace: default}
        spec: {basePath: debian/debs, repositoryRef: {name: debs}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: rpms, namespace: default}
        spec: {type: rpm, uploads: {enabled: true}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: rpms, namespace: default}
        spec: {basePath: el/rpms, repositoryRef: {name: rpms}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: images, namespace: default}
        spec: {type: container}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: images, namespace: default}
        spec: {basePath: library/app, repositoryRef: {name: images}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: docker-hub, namespace: default}
        spec: {type: container, url: "https://registry-1.docker.io", policy: OnDemand}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: hub, namespace: default}
        spec: {type: container}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: hub, namespace: default}
        spec: {basePath: hub, repositoryRef: {name: hub}, pullThrough: {remoteRef: {name: docker-hub}}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: hostile, namespace: default}
        spec:
          type: file
          sync: {schedule: "<script>alert(1)</script>"}
        """;

    private readonly StandaloneWorkspace workspace = new();

    public PackyardProcess Packyard { get; private set; } = null!;

    public HeadlessChromium Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        workspace.Write("upstream/index.html", "<h1>hello</h1>\n");
        workspace.Write("upstream/notes.txt", "notes\n");
        workspace.WriteUpstreamManifest();
        workspace.Write("resources.yaml", Manifests);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(StatusPageFixture));
        Packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database, "--upload-token", Token);
        await Packyard.WaitForAsync("the file repository has version 1 and every distribution was reconciled",
            r => r.LatestVersion("files") == 1 && r.IsReady("Distribution", "files") && r.IsReady("Distribution", "wheels")
                 && r.Find("Repository", "hostile")?["error"] is not null);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/namespaces/default/repositories/files/content")
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent("uploads/todo.txt"), "relativePath" },
                { new ByteArrayContent("todo\n"u8.ToArray()), "file", "todo.txt" },
            },
        })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await Packyard.Http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
        }

        await Packyard.WaitForAsync("the upload made version 2", r => r.LatestVersion("files") == 2);
        Chromium = await HeadlessChromium.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }

        if (Packyard is not null)
        {
            await Packyard.DisposeAsync();
        }

        workspace.Dispose();
    }
}
