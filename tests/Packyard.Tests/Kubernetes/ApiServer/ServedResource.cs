using System.Text.Json.Nodes;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>One resource the test API server serves: a built-in kind or a CRD's version.</summary>
public sealed record ServedResource
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public required string Singular { get; init; }
    public required bool Namespaced { get; init; }
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>The openAPIV3Schema of a custom resource; null for built-in kinds (stored as sent).</summary>
    public JsonObject? Schema { get; init; }

    /// <summary>additionalPrinterColumns of a custom resource.</summary>
    public IReadOnlyList<JsonObject> PrinterColumns { get; init; } = [];

    public bool HasStatusSubresource { get; init; }

    /// <summary>The verbs discovery lists and the server accepts (reviews are create only).</summary>
    public IReadOnlyList<string> Verbs { get; init; } = AllVerbs;

    /// <summary>Custom resources get metadata.generation and the CR update rules (resourceVersion required on PUT).</summary>
    public bool IsCustom => Schema is not null;

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public static IReadOnlyList<string> AllVerbs { get; } =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>A served resource for each served version of a CRD (as JSON).</summary>
    public static IEnumerable<ServedResource> FromCrd(JsonObject crd)
    {
        var spec = crd["spec"]!.AsObject();
        var names = spec["names"]!.AsObject();
        foreach (var version in spec["versions"]!.AsArray().OfType<JsonObject>())
        {
            if (version["served"]?.GetValue<bool>() == false)
            {
                continue;
            }

            yield return new ServedResource
            {
                Group = spec["group"]!.GetValue<string>(),
                Version = version["name"]!.GetValue<string>(),
                Kind = names["kind"]!.GetValue<string>(),
                Plural = names["plural"]!.GetValue<string>(),
                Singular = names["singular"]?.GetValue<string>() ?? names["kind"]!.GetValue<string>().ToLowerInvariant(),
                Namespaced = spec["scope"]?.GetValue<string>() != "Cluster",
                ShortNames = names["shortNames"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [],
                Categories = names["categories"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [],
                Schema = version["schema"]?["openAPIV3Schema"]?.AsObject() ?? new JsonObject { ["type"] = "object" },
                PrinterColumns = version["additionalPrinterColumns"]?.AsArray().OfType<JsonObject>().ToList() ?? [],
                HasStatusSubresource = version["subresources"]?["status"] is not null,
            };
        }
    }

    /// <summary>
    /// The built-in kinds Packyard, kubectl and <c>config/default</c> use. They are stored as sent after a few of the
    /// real server's checks (<see cref="BuiltInValidator"/>); reviews are answered, never stored; CustomResourceDefinitions
    /// register the resources they define.
    /// </summary>
    public static IReadOnlyList<ServedResource> BuiltIn { get; } =
    [
        new() { Group = "", Version = "v1", Kind = "Namespace", Plural = "namespaces", Singular = "namespace", Namespaced = false, ShortNames = ["ns"] },
        new() { Group = "", Version = "v1", Kind = "Secret", Plural = "secrets", Singular = "secret", Namespaced = true },
        new() { Group = "", Version = "v1", Kind = "Event", Plural = "events", Singular = "event", Namespaced = true, ShortNames = ["ev"] },
        new() { Group = "events.k8s.io", Version = "v1", Kind = "Event", Plural = "events", Singular = "event", Namespaced = true, ShortNames = ["ev"] },
        new() { Group = "coordination.k8s.io", Version = "v1", Kind = "Lease", Plural = "leases", Singular = "lease", Namespaced = true },
        new() { Group = "", Version = "v1", Kind = "ServiceAccount", Plural = "serviceaccounts", Singular = "serviceaccount", Namespaced = true, ShortNames = ["sa"] },
        new() { Group = "", Version = "v1", Kind = "ConfigMap", Plural = "configmaps", Singular = "configmap", Namespaced = true, ShortNames = ["cm"] },
        new() { Group = "", Version = "v1", Kind = "Service", Plural = "services", Singular = "service", Namespaced = true, ShortNames = ["svc"], Categories = ["all"] },
        new() { Group = "apps", Version = "v1", Kind = "Deployment", Plural = "deployments", Singular = "deployment", Namespaced = true, ShortNames = ["deploy"], Categories = ["all"] },
        new() { Group = "networking.k8s.io", Version = "v1", Kind = "Ingress", Plural = "ingresses", Singular = "ingress", Namespaced = true, ShortNames = ["ing"] },
        new() { Group = Rbac, Version = "v1", Kind = "ClusterRole", Plural = "clusterroles", Singular = "clusterrole", Namespaced = false },
        new() { Group = Rbac, Version = "v1", Kind = "ClusterRoleBinding", Plural = "clusterrolebindings", Singular = "clusterrolebinding", Namespaced = false },
        new() { Group = Rbac, Version = "v1", Kind = "Role", Plural = "roles", Singular = "role", Namespaced = true },
        new() { Group = Rbac, Version = "v1", Kind = "RoleBinding", Plural = "rolebindings", Singular = "rolebinding", Namespaced = true },
        new()
        {
            Group = "apiextensions.k8s.io", Version = "v1", Kind = "CustomResourceDefinition", Plural = "customresourcedefinitions",
            Singular = "customresourcedefinition", Namespaced = false, ShortNames = ["crd", "crds"], Categories = ["api-extensions"],
            HasStatusSubresource = true,
        },
        new() { Group = "authentication.k8s.io", Version = "v1", Kind = "TokenReview", Plural = "tokenreviews", Singular = "tokenreview", Namespaced = false, Verbs = ["create"] },
        new() { Group = "authorization.k8s.io", Version = "v1", Kind = "SubjectAccessReview", Plural = "subjectaccessreviews", Singular = "subjectaccessreview", Namespaced = false, Verbs = ["create"] },
    ];

    private const string Rbac = "rbac.authorization.k8s.io";
}
