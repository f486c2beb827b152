using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Python;

namespace Packyard.Tests.Standalone;

/// <summary>
/// A Repository that mirrors its Remote is made equal to the upstream by every sync, so an upload into it would be
/// silently undone: `packyard run` refuses it with 409 and says what to use instead, for every content type and client.
/// </summary>
public sealed class MirrorUploadTests
{
    private const string Token = "mirror-upload-tests-token";

    private const string Manifests = """
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: files, namespace: default}
        spec: {type: file, url: "file:upstream/"}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: mirror-files, namespace: default}
        spec:
          type: file
          remoteRef: {name: files}
          sync: {mode: Mirror}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: additive-files, namespace: default}
        spec:
          type: file
          remoteRef: {name: files}
          sync: {mode: Additive}
          uploads: {enabled: true}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: pypi, namespace: default}
        spec: {type: python, url: "http://127.0.0.1:9/"}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: mirror-python, namespace: default}
        spec:
          type: python
          remoteRef: {name: pypi}
          sync: {mode: Mirror}
        """;

    [Fact]
    public async Task Uploads_into_a_mirror_are_refused_with_409_saying_what_to_use_for_files_python_and_twine()
    {
        using var workspace = new StandaloneWorkspace();
        workspace.Write("upstream/synced.txt", "synced\n");
        workspace.WriteUpstreamManifest();
        workspace.Write("repositories.yaml", Manifests);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(MirrorUploadTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database, "--upload-token", Token);
        await packyard.WaitForAsync("the file repositories synced and the python one was reconciled",
            r => r.IsReady("Repository", "mirror-files") && r.IsReady("Repository", "additive-files") && r.LatestVersion("mirror-files") == 1
                 && r.Condition("Repository", "mirror-python", "Ready") is not null);

        using (var file = await PostAsync(packyard, "mirror-files", new MultipartFormDataContent
        {
            { new StringContent("notes/uploaded.txt"), "relativePath" },
            { new ByteArrayContent("uploaded\n"u8.ToArray()), "file", "uploaded.txt" },
        }))
        {
            await AssertRefusedAsync(file, "mirror-files", "files");
        }

        var wheel = PythonPackage.Wheel(Path.Combine(workspace.Data, "build"), "mirrored-app", "1.0");
        using (var python = await PostAsync(packyard, "mirror-python", new MultipartFormDataContent
        {
            { new StringContent("file_upload"), ":action" },
            { new StringContent("1"), "protocol_version" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(wheel)), "content", Path.GetFileName(wheel) },
        }))
        {
            await AssertRefusedAsync(python, "mirror-python", "pypi");
        }

        var (twineCode, twineOutput) = await PythonFixture.RunAsync("/usr/bin/twine",
            ["upload", "--non-interactive", "--disable-progress-bar", "--repository-url", new Uri(packyard.BaseUrl, "api/v1/namespaces/default/repositories/mirror-python/content/").ToString(), wheel],
            new Dictionary<string, string> { ["TWINE_USERNAME"] = "__token__", ["TWINE_PASSWORD"] = Token, ["TWINE_NON_INTERACTIVE"] = "1" });
        Assert.NotEqual(0, twineCode);
        Assert.Contains("409", twineOutput, StringComparison.Ordinal);

        using (var additive = await PostAsync(packyard, "additive-files", new MultipartFormDataContent
        {
            { new StringContent("notes/uploaded.txt"), "relativePath" },
            { new ByteArrayContent("uploaded\n"u8.ToArray()), "file", "uploaded.txt" },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, additive.StatusCode);
        }

        Assert.Equal([0L, 1L], await StandaloneWorkspace.VersionsAsync(database, "mirror-files"));
        Assert.Equal([0L], await StandaloneWorkspace.VersionsAsync(database, "mirror-python"));
        Assert.Equal([0L, 1L, 2L], await StandaloneWorkspace.VersionsAsync(database, "additive-files"));
    }

    private static async Task<HttpResponseMessage> PostAsync(PackyardProcess packyard, string repository, MultipartFormDataContent form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/namespaces/default/repositories/{repository}/content") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"__token__:{Token}")));
        return await packyard.Http.SendAsync(request);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string repository, string remote)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{repository}: {response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var message = (string?)JsonNode.Parse(body)!["error"];
        Assert.NotNull(message);
        Assert.Contains($"default/{repository} mirrors Remote {remote} (spec.sync.mode: Mirror)", message, StringComparison.Ordinal);
        Assert.Contains("spec.sync.mode: Additive", message, StringComparison.Ordinal);
        Assert.Contains("Promotion", message, StringComparison.Ordinal);
    }
}
