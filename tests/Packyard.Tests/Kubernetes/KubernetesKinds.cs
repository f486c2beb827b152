using k8s.Models;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Operator;

namespace Packyard.Tests.Kubernetes;

/// <summary>The kinds tests read and write with <see cref="ResourceClient"/>: Packyard's four and the built-ins (the library's models).</summary>
public static class KubernetesKinds
{
    public static readonly ResourceKind<Remote> Remote = PackyardKinds.Remote;
    public static readonly ResourceKind<Repository> Repository = PackyardKinds.Repository;
    public static readonly ResourceKind<Distribution> Distribution = PackyardKinds.Distribution;
    public static readonly ResourceKind<Promotion> Promotion = PackyardKinds.Promotion;
    public static readonly ResourceKind<V1Secret> Secret = PackyardKinds.Secret;
    public static readonly ResourceKind<V1Namespace> Namespace = ResourceKind<V1Namespace>.BuiltIn("", "v1", "Namespace", "namespaces", namespaced: false);
    public static readonly ResourceKind<Corev1Event> CoreEvent = ResourceKind<Corev1Event>.BuiltIn("", "v1", "Event", "events", namespaced: true);
    public static readonly ResourceKind<V1Lease> Lease = ResourceKind<V1Lease>.BuiltIn("coordination.k8s.io", "v1", "Lease", "leases", namespaced: true);

    public static readonly ResourceKind<V1TokenReview> TokenReview =
        ResourceKind<V1TokenReview>.BuiltIn("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", namespaced: false);

    public static readonly ResourceKind<V1SubjectAccessReview> SubjectAccessReview =
        ResourceKind<V1SubjectAccessReview>.BuiltIn("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", namespaced: false);

    public static readonly ResourceKind<V1CustomResourceDefinition> CustomResourceDefinition =
        ResourceKind<V1CustomResourceDefinition>.BuiltIn("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", namespaced: false);
}
