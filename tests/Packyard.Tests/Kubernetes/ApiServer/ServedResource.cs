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

    /// <summary>The core and coordination kinds Packyard and kubectl use, stored as sent.</summary>
    public static IReadOnlyList<ServedResource> BuiltIn { get; } =
    [
        new() { Group = "", Version = "v1", Kind = "Namespace", Plural = "namespaces", Singular = "namespace", Namespaced = false, ShortNames = ["ns"] },
        new() { Group = "", Version = "v1", Kind = "Secret", Plural = "secrets", Singular = "secret", Namespaced = true },
        new() { Group = "", Version = "v1", Kind = "Event", Plural = "events", Singular = "event", Namespaced = true, ShortNames = ["ev"] },
        new() { Group = "events.k8s.io", Version = "v1", Kind = "Event", Plural = "events", Singular = "event", Namespaced = true, ShortNames = ["ev"] },
        new() { Group = "coordination.k8s.io", Version = "v1", Kind = "Lease", Plural = "leases", Singular = "lease", Namespaced = true },
    ];
}
