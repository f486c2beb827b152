using System.Net;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Operator;

namespace Packyard.Tests.Kubernetes;

/// <summary>In a cluster, the content role reads the Repository from the API server and refuses uploads into a mirror.</summary>
public sealed class OperatorMirrorUploadTests
{
    [Fact]
    public async Task An_upload_into_a_repository_that_mirrors_its_remote_is_refused_with_409_in_a_cluster()
    {
        await using var cluster = await OperatorCluster.StartAsync("operatormirrorupload");
        var replica = cluster.StartOperator("replica-a");
        using var directory = new TemporaryDirectory();
        var manifest = directory.Write("mirror.yaml", """
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: upstream}
            spec: {type: file, url: "file:upstream/"}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: mirror}
            spec:
              type: file
              remoteRef: {name: upstream}
              sync: {mode: Mirror}
            """);
        await cluster.Kubectl.SucceedAsync("apply", "-f", manifest);
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "repository/mirror");

        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/namespaces/{cluster.Namespace}/repositories/mirror/content")
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent("notes/uploaded.txt"), "relativePath" },
                { new ByteArrayContent("uploaded\n"u8.ToArray()), "file", "uploaded.txt" },
            },
        };
        request.Headers.Authorization = new("Bearer", await cluster.CreateUploaderTokenAsync("builder"));
        using var response = await replica.Http.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{response.StatusCode} {body}\n{replica.Output}");
        var message = (string?)JsonNode.Parse(body)!["error"];
        Assert.Contains($"{cluster.Namespace}/mirror mirrors Remote upstream (spec.sync.mode: Mirror)", message, StringComparison.Ordinal);
        Assert.Contains("spec.sync.mode: Additive", message, StringComparison.Ordinal);
    }
}
