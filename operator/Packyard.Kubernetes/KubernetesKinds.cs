using Packyard.Api.Resources;
using Packyard.Kubernetes.Models;

namespace Packyard.Kubernetes;

/// <summary>The kinds Packyard reads and writes.</summary>
public static partial class KubernetesKinds
{
    private const string Packyard = "packyard.io";
    private const string V1Alpha1 = "v1alpha1";
    private static readonly KubernetesJsonContext Json = KubernetesJsonContext.Default;

    public static readonly ResourceKind<Remote> Remote = new(
        Packyard, V1Alpha1, "Remote", "remotes", true, o => o.Metadata, Json.Remote, Json.KubernetesListRemote, Json.WatchEventRemote);

    public static readonly ResourceKind<Repository> Repository = new(
        Packyard, V1Alpha1, "Repository", "repositories", true, o => o.Metadata, Json.Repository, Json.KubernetesListRepository,
        Json.WatchEventRepository);

    public static readonly ResourceKind<Distribution> Distribution = new(
        Packyard, V1Alpha1, "Distribution", "distributions", true, o => o.Metadata, Json.Distribution, Json.KubernetesListDistribution,
        Json.WatchEventDistribution);

    public static readonly ResourceKind<Promotion> Promotion = new(
        Packyard, V1Alpha1, "Promotion", "promotions", true, o => o.Metadata, Json.Promotion, Json.KubernetesListPromotion,
        Json.WatchEventPromotion);

    public static readonly ResourceKind<Secret> Secret = new(
        "", "v1", "Secret", "secrets", true, o => o.Metadata, Json.Secret, Json.KubernetesListSecret, Json.WatchEventSecret);

    public static readonly ResourceKind<Namespace> Namespace = new(
        "", "v1", "Namespace", "namespaces", false, o => o.Metadata, Json.Namespace, Json.KubernetesListNamespace, Json.WatchEventNamespace);

    public static readonly ResourceKind<Event> Event = new(
        "events.k8s.io", "v1", "Event", "events", true, o => o.Metadata, Json.Event, Json.KubernetesListEvent, Json.WatchEventEvent);

    public static readonly ResourceKind<Lease> Lease = new(
        "coordination.k8s.io", "v1", "Lease", "leases", true, o => o.Metadata, Json.Lease, Json.KubernetesListLease, Json.WatchEventLease);

    /// <summary>Create only: is a bearer token valid, and whose is it? (Lists and watches are not served.)</summary>
    public static readonly ResourceKind<TokenReview> TokenReview = new(
        "authentication.k8s.io", "v1", "TokenReview", "tokenreviews", false, o => o.Metadata, Json.TokenReview,
        Json.KubernetesListTokenReview, Json.WatchEventTokenReview);

    /// <summary>Create only: may a user do a verb on a resource? (Lists and watches are not served.)</summary>
    public static readonly ResourceKind<SubjectAccessReview> SubjectAccessReview = new(
        "authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", false, o => o.Metadata, Json.SubjectAccessReview,
        Json.KubernetesListSubjectAccessReview, Json.WatchEventSubjectAccessReview);

    public static readonly ResourceKind<CustomResourceDefinition> CustomResourceDefinition = new(
        "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, o => o.Metadata,
        Json.CustomResourceDefinition, Json.KubernetesListCustomResourceDefinition, Json.WatchEventCustomResourceDefinition);
}
