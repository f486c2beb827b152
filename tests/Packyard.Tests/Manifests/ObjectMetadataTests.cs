using System.Text.Json.Nodes;
using Packyard.Api.Resources;
using Packyard.Manifests;
using Packyard.Operator;

namespace Packyard.Tests.Manifests;

/// <summary>
/// Packyard's resources carry the KubernetesClient library's V1ObjectMeta: manifests (standalone mode) read it by its JSON
/// names, and the operator's source-generated JSON writes it back as the API server stores it.
/// </summary>
public sealed class ObjectMetadataTests
{
    private const string Manifest = """
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata:
          name: debian
          namespace: team-a
          creationTimestamp: "2026-01-02T03:04:05Z"
          labels: {app: mirror}
          annotations: {packyard.io/requested-at: "now"}
          finalizers: [packyard.io/finalizer]
          managedFields:
          - manager: kubectl
            operation: Apply
            fieldsType: FieldsV1
            fieldsV1: {"f:spec": {"f:url": {}}}
        spec:
          type: file
          url: https://example.com/files/
        """;

    [Fact]
    public void A_manifest_fills_namespace_labels_and_annotations_of_V1ObjectMeta_and_drops_the_tolerated_server_fields()
    {
        var document = Assert.Single(new ManifestLoader().Load("m.yaml", Manifest));

        Assert.Empty(document.Errors);
        Assert.Equal(("team-a", "debian"), (document.Namespace, document.Name));
        var metadata = Assert.IsType<Remote>(document.Object).Metadata;
        Assert.Equal("team-a", metadata.NamespaceProperty);
        Assert.Equal("mirror", metadata.Labels!["app"]);
        Assert.Equal("now", metadata.Annotation("packyard.io/requested-at"));
        // As before V1ObjectMeta: the manifest schema tolerates the fields the API server sets, and standalone mode drops them.
        Assert.Null(metadata.Finalizers);
        Assert.Null(metadata.CreationTimestamp);
        Assert.Null(metadata.ManagedFields);
    }

    [Fact]
    public void The_operator_reads_and_writes_the_API_servers_metadata_under_the_same_names_and_formats()
    {
        const string stored = """
            {"apiVersion":"packyard.io/v1alpha1","kind":"Remote",
             "metadata":{"annotations":{"packyard.io/requested-at":"now"},"creationTimestamp":"2026-01-02T03:04:05Z","finalizers":["packyard.io/finalizer"],
              "labels":{"app":"mirror"},"managedFields":[{"fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:url":{}}},"manager":"kubectl","operation":"Apply"}],
              "name":"debian","namespace":"team-a"},
             "spec":{"type":"file","url":"https://example.com/files/"}}
            """;
        using var document = System.Text.Json.JsonDocument.Parse(stored);
        var remote = PackyardKinds.Remote.Deserialize(document.RootElement)!;
        Assert.Equal(("team-a", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)), (remote.Metadata.NamespaceProperty, remote.Metadata.CreationTimestamp!.Value));

        var written = JsonNode.Parse(PackyardKinds.Remote.Serialize(remote))!["metadata"]!;
        var cloned = JsonNode.Parse(PackyardKinds.Remote.Serialize(PackyardKinds.Remote.Clone(remote)))!["metadata"]!;

        var expected = JsonNode.Parse(stored)!["metadata"];
        Assert.True(JsonNode.DeepEquals(expected, written), written.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected, cloned), cloned.ToJsonString());
    }
}
