using System.Net;
using System.Text.Json.Nodes;
using k8s.Models;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// The runtime's resource client against the real API server: CRUD of Packyard's kinds with their source-generated JSON and
/// of built-in kinds with the library's models, paging, 409 and 410 as typed exceptions, the status subresource, patches.
/// </summary>
public sealed class KubernetesClientTests() : NamespacedEnvtestTest("client")
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Create_sets_uid_creation_timestamp_resource_version_and_generation_one()
    {
        var created = await Client.CreateAsync(KubernetesKinds.Remote, NewRemote("debian"), None);

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.Equal(1, created.Metadata.Generation);
        Assert.Null(created.Status);
        Assert.Equal("debian", (await Client.GetAsync(KubernetesKinds.Remote, Namespace, "debian", None)).Name);
    }

    [Fact]
    public async Task Creating_an_existing_object_throws_a_conflict_with_reason_AlreadyExists()
    {
        await Client.CreateAsync(KubernetesKinds.Remote, NewRemote("twice"), None);

        var error = await Assert.ThrowsAsync<KubernetesConflictException>(() => Client.CreateAsync(KubernetesKinds.Remote, NewRemote("twice"), None));

        Assert.True(error.AlreadyExists);
        Assert.Equal("remotes.packyard.io \"twice\" already exists", error.Status.Message);
    }

    [Fact]
    public async Task Replace_with_a_stale_resource_version_throws_a_conflict()
    {
        var created = await Client.CreateAsync(KubernetesKinds.Remote, NewRemote("stale"), None);
        created.Spec.DownloadConcurrency = 2;
        await Client.ReplaceAsync(KubernetesKinds.Remote, created, None);
        created.Spec.DownloadConcurrency = 3;

        var error = await Assert.ThrowsAsync<KubernetesConflictException>(() => Client.ReplaceAsync(KubernetesKinds.Remote, created, None));

        Assert.False(error.AlreadyExists);
        Assert.Equal("Conflict", error.Reason);
        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
    }

    [Fact]
    public async Task Generation_changes_only_when_the_spec_changes()
    {
        var created = await Client.CreateAsync(KubernetesKinds.Remote, NewRemote("generation"), None);
        created.Metadata.Labels = new Dictionary<string, string> { ["team"] = "a" };
        var relabelled = await Client.ReplaceAsync(KubernetesKinds.Remote, created, None);
        relabelled.Spec.Url = "https://example.com/other/";
        var respecced = await Client.ReplaceAsync(KubernetesKinds.Remote, relabelled, None);

        Assert.Equal(1, relabelled.Metadata.Generation);
        Assert.NotEqual(created.Metadata.ResourceVersion, relabelled.Metadata.ResourceVersion);
        Assert.Equal(2, respecced.Metadata.Generation);
    }

    [Fact]
    public async Task The_main_resource_ignores_status_and_the_status_subresource_ignores_spec()
    {
        var created = await Client.CreateAsync(KubernetesKinds.Remote, NewRemote("split"), None);
        created.Status = new RemoteStatus { ObservedGeneration = 9 };
        var replaced = await Client.ReplaceAsync(KubernetesKinds.Remote, created, None);
        Assert.Null(replaced.Status);

        replaced.Status = new RemoteStatus { ObservedGeneration = 1, LastHandledRequest = "r1" };
        replaced.Spec.Url = "https://example.com/ignored/";
        var withStatus = await Client.ReplaceStatusAsync(KubernetesKinds.Remote, replaced, None);

        Assert.Equal("r1", withStatus.Status!.LastHandledRequest);
        Assert.Equal("https://example.com/files/", withStatus.Spec.Url);
        Assert.Equal(1, withStatus.Metadata.Generation);
        Assert.Equal("r1", (await Client.GetStatusAsync(KubernetesKinds.Remote, Namespace, "split", None)).Status!.LastHandledRequest);
    }

    [Fact]
    public async Task Merge_patch_of_the_status_subresource_writes_only_the_status()
    {
        await Client.CreateAsync(KubernetesKinds.Remote, NewRemote("patched"), None);
        var patch = new JsonObject { ["spec"] = new JsonObject { ["url"] = "https://ignored/" }, ["status"] = new JsonObject { ["lastHandledRequest"] = "x" } };

        var patched = await Client.PatchStatusAsync(KubernetesKinds.Remote, Namespace, "patched", KubernetesPatch.Merge(patch), null, None);

        Assert.Equal("x", patched.Status!.LastHandledRequest);
        Assert.Equal("https://example.com/files/", patched.Spec.Url);
    }

    [Fact]
    public async Task Merge_patch_with_a_stale_resource_version_throws_a_conflict()
    {
        var created = await Client.CreateAsync(KubernetesKinds.Remote, NewRemote("guarded"), None);
        await Client.PatchAsync(KubernetesKinds.Remote, Namespace, "guarded", KubernetesPatch.Merge(new JsonObject { ["spec"] = new JsonObject { ["rateLimit"] = 5 } }), null, None);
        var stale = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = created.Metadata.ResourceVersion },
            ["spec"] = new JsonObject { ["rateLimit"] = 6 },
        };

        await Assert.ThrowsAsync<KubernetesConflictException>(() =>
            Client.PatchAsync(KubernetesKinds.Remote, Namespace, "guarded", KubernetesPatch.Merge(stale), null, None));
    }

    [Fact]
    public async Task Server_side_apply_creates_the_object_and_then_merges_the_applied_fields()
    {
        var options = new PatchOptions { FieldManager = "packyard", Force = true };
        var first = $$$"""{"apiVersion":"packyard.io/v1alpha1","kind":"Remote","metadata":{"name":"applied","namespace":"{{{Namespace}}}"},"spec":{"type":"file","url":"https://example.com/a/"}}""";
        var second = $$$"""{"apiVersion":"packyard.io/v1alpha1","kind":"Remote","metadata":{"name":"applied","namespace":"{{{Namespace}}}"},"spec":{"type":"file","url":"https://example.com/b/"}}""";

        var created = await Client.PatchAsync(KubernetesKinds.Remote, Namespace, "applied", KubernetesPatch.Apply(first), options, None);
        var updated = await Client.PatchAsync(KubernetesKinds.Remote, Namespace, "applied", KubernetesPatch.Apply(second), options, None);

        Assert.Equal("https://example.com/a/", created.Spec.Url);
        Assert.Equal("https://example.com/b/", updated.Spec.Url);
        Assert.Equal(2, updated.Metadata.Generation);
        Assert.Contains(updated.Metadata.ManagedFields!, f => f is { Manager: "packyard", Operation: "Apply" });
    }

    [Fact]
    public async Task An_invalid_object_throws_with_the_422_field_causes()
    {
        var remote = NewRemote("invalid");
        remote.Spec.DownloadConcurrency = 0;
        remote.Spec.Url = "ftp://example.com/";

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => Client.CreateAsync(KubernetesKinds.Remote, remote, None));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Equal("Invalid", error.Reason);
        var causes = error.Status.Details!.Causes!;
        Assert.Contains(causes, c => c is { Field: "spec.downloadConcurrency", Reason: "FieldValueInvalid" }
            && c.Message == "Invalid value: 0: spec.downloadConcurrency in body should be greater than or equal to 1");
        Assert.Contains(causes, c => c is { Field: "spec.url", Reason: "FieldValueInvalid" });
    }

    [Fact]
    public async Task Changing_an_immutable_field_is_rejected()
    {
        var created = await Client.CreateAsync(KubernetesKinds.Remote, NewRemote("immutable"), None);
        created.Spec.Type = ContentType.Deb;

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => Client.ReplaceAsync(KubernetesKinds.Remote, created, None));

        Assert.Contains(error.Status.Details!.Causes!, c => c.Field == "spec.type" && c.Message!.Contains("spec.type is immutable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_type_block_that_does_not_match_spec_type_is_rejected_by_the_CRD_rule()
    {
        var remote = NewRemote("mismatch");
        remote.Spec.Deb = new DebRemoteOptions();

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => Client.CreateAsync(KubernetesKinds.Remote, remote, None));

        var cause = Assert.Single(error.Status.Details!.Causes!);
        Assert.Equal("spec", cause.Field);
        Assert.StartsWith("Invalid value: ", cause.Message, StringComparison.Ordinal);
        Assert.EndsWith("spec.deb is only allowed when spec.type is deb", cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deb_suites_naming_one_suite_twice_are_rejected_by_the_CRD_rule_and_distinct_ones_are_stored()
    {
        var repository = new Repository
        {
            Metadata = new V1ObjectMeta { Name = "suites", NamespaceProperty = Namespace },
            Spec = new RepositorySpec
            {
                Type = ContentType.Deb,
                Publish = new RepositoryPublish
                {
                    Deb = new DebPublishOptions { Suites = [new DebSuite { Codename = "bookworm", Suite = "stable" }, new DebSuite { Codename = "trixie", Suite = "stable" }] },
                },
            },
        };

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => Client.CreateAsync(KubernetesKinds.Repository, repository, None));

        var cause = Assert.Single(error.Status.Details!.Causes!);
        Assert.Equal("spec.publish.deb.suites", cause.Field);
        Assert.EndsWith(DebPublishOptions.SuitesMessage, cause.Message, StringComparison.Ordinal);
        repository.Spec.Publish.Deb.Suites[1].Suite = "testing";
        var stored = await Client.CreateAsync(KubernetesKinds.Repository, repository, None);
        Assert.Equal(["stable", "testing"], stored.Spec.Publish!.Deb!.Suites!.Select(s => s.Suite));
    }

    [Fact]
    public async Task A_base_path_under_a_reserved_segment_is_rejected_by_the_CRD_rule()
    {
        var distribution = new Distribution
        {
            Metadata = new V1ObjectMeta { Name = "reserved", NamespaceProperty = Namespace },
            Spec = new DistributionSpec { BasePath = "api/files", RepositoryRef = new LocalObjectReference { Name = "files" } },
        };

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => Client.CreateAsync(KubernetesKinds.Distribution, distribution, None));

        Assert.Equal("spec", Assert.Single(error.Status.Details!.Causes!).Field);
        distribution.Spec.BasePath = "files/api";
        Assert.NotNull(await Client.CreateAsync(KubernetesKinds.Distribution, distribution, None));
    }

    [Fact]
    public async Task List_pages_with_limit_and_continue_return_every_item_once()
    {
        for (var i = 0; i < 7; i++)
        {
            await Client.CreateAsync(KubernetesKinds.Secret, new V1Secret { Metadata = new V1ObjectMeta { Name = $"s{i}", NamespaceProperty = Namespace }, StringData = new Dictionary<string, string> { ["k"] = "v" } }, None);
        }

        var mark = Environment.Audit.Mark();
        var first = await Client.ListAsync(KubernetesKinds.Secret, Namespace, new ListOptions { Limit = 3 }, None);
        var all = await Client.ListAllAsync(KubernetesKinds.Secret, Namespace, new ListOptions { Limit = 3 }, None).ToListAsync();

        Assert.Equal(3, first.Items.Count);
        Assert.False(string.IsNullOrEmpty(first.Continue));
        Assert.Equal(["s0", "s1", "s2", "s3", "s4", "s5", "s6"], all.Select(s => s.Metadata.Name!));
        Assert.Equal("v", System.Text.Encoding.UTF8.GetString(all[0].Data!["k"]));
        Assert.Equal(1 + 3, Environment.Audit.Since(mark).Count(e => e.Verb == "list" && e.Resource == "secrets" && e.Namespace == Namespace && e.RequestUri.Contains("limit=3", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Delete_with_a_finalizer_sets_the_deletion_timestamp_until_the_finalizer_is_removed()
    {
        var remote = NewRemote("finalized");
        remote.Metadata.Finalizers = ["packyard.io/cleanup"];
        await Client.CreateAsync(KubernetesKinds.Remote, remote, None);

        await Client.DeleteAsync(KubernetesKinds.Remote, Namespace, "finalized", None);
        var terminating = await Client.GetAsync(KubernetesKinds.Remote, Namespace, "finalized", None);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);

        terminating.Metadata.Finalizers = [];
        await Client.ReplaceAsync(KubernetesKinds.Remote, terminating, None);
        Assert.Null(await Client.TryGetAsync(KubernetesKinds.Remote, Namespace, "finalized", None));
    }

    [Fact]
    public async Task Built_in_kinds_round_trip_with_the_library_models_and_serializer()
    {
        var name = Namespace + "-system";
        await Client.CreateAsync(KubernetesKinds.Namespace, new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, None);
        var renewTime = new DateTime(2026, 12, 6, 5, 0, 0, DateTimeKind.Utc).AddTicks(1_234_560);
        var lease = await Client.CreateAsync(KubernetesKinds.Lease, new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "packyard-leader", NamespaceProperty = name },
            Spec = new V1LeaseSpec { HolderIdentity = "pod-a", LeaseDurationSeconds = 15, RenewTime = renewTime },
        }, None);
        lease.Spec!.HolderIdentity = "pod-b";
        var renewed = await Client.ReplaceAsync(KubernetesKinds.Lease, lease, None);
        var recorded = await Client.CreateAsync(KubernetesKinds.CoreEvent, new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "remote.1", NamespaceProperty = name },
            InvolvedObject = new V1ObjectReference { Kind = "Repository", Name = "debian", NamespaceProperty = name },
            Reason = "SyncSucceeded",
            Message = "synced",
            Type = "Normal",
            Count = 1,
            FirstTimestamp = renewTime,
            LastTimestamp = renewTime,
        }, None);

        Assert.Equal("pod-b", renewed.Spec!.HolderIdentity);
        Assert.Equal(renewTime, renewed.Spec.RenewTime);
        Assert.Equal("SyncSucceeded", recorded.Reason);
        Assert.Equal("Active", (await Client.GetAsync(KubernetesKinds.Namespace, null, name, None)).Status!.Phase);
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_is_NotFound()
    {
        var remote = NewRemote("lost");
        remote.Metadata.NamespaceProperty = "nowhere";

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => Client.CreateAsync(KubernetesKinds.Remote, remote, None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("namespaces \"nowhere\" not found", error.Status.Message);
    }

    private Remote NewRemote(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
        Spec = new RemoteSpec { Type = ContentType.File, Url = "https://example.com/files/" },
    };
}
