using System.Text.Json.Nodes;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// CustomResourceDefinitions are stored objects like any other, and the resources they define follow them: creating
/// or updating a CRD (at start from <c>crds/</c>, or through the API) serves its versions with its schema and printer
/// columns; deleting it stops serving them and deletes their objects.
/// </summary>
public sealed partial class TestApiServer
{
    private readonly Lock resourcesGate = new();

    /// <summary>Stores a CRD as the API would after a create, and serves what it defines.</summary>
    internal void InstallCrd(JsonObject crd)
    {
        var name = crd["metadata"]!["name"]!.GetValue<string>();
        crd["metadata"]!["uid"] = Guid.NewGuid().ToString();
        crd["metadata"]!["creationTimestamp"] = ApiRequestHandler.Now();
        SetCrdStatus(crd, old: null);
        RegisterCrd(Store.Write(Resource("apiextensions.k8s.io", "customresourcedefinitions"), null, name, crd, "ADDED"));
    }

    /// <summary>
    /// What the apiextensions controllers write once a CRD is accepted: NamesAccepted and Established True, the accepted
    /// names and the stored versions (never shrinking). Transition times are kept when nothing changes.
    /// </summary>
    internal static void SetCrdStatus(JsonObject crd, JsonObject? old)
    {
        var spec = crd["spec"]!;
        var names = (JsonObject)spec["names"]!.DeepClone();
        names["singular"] ??= names["kind"]?.GetValue<string>().ToLowerInvariant();
        names["listKind"] ??= names["kind"]?.GetValue<string>() + "List";
        var stored = old?["status"]?["storedVersions"]?.AsArray().Select(v => v!.GetValue<string>()).ToList() ?? [];
        foreach (var version in spec["versions"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            if (version["storage"]?.GetValue<bool>() == true && version["name"]?.GetValue<string>() is { } storage && !stored.Contains(storage))
            {
                stored.Add(storage);
            }
        }

        JsonObject Condition(string type, string reason, string message) => new()
        {
            ["type"] = type,
            ["status"] = "True",
            ["lastTransitionTime"] = old?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == type)?["lastTransitionTime"]?.DeepClone()
                ?? ApiRequestHandler.Now(),
            ["reason"] = reason,
            ["message"] = message,
        };
        crd["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted")),
            ["acceptedNames"] = names,
            ["storedVersions"] = new JsonArray(stored.Select(v => (JsonNode)v!).ToArray()),
        };
    }

    /// <summary>Serves the CRD's versions, replacing what an earlier revision of it defined.</summary>
    internal void RegisterCrd(JsonObject crd)
    {
        var copy = (JsonObject)crd.DeepClone();
        var (group, plural) = (copy["spec"]!["group"]!.GetValue<string>(), copy["spec"]!["names"]!["plural"]!.GetValue<string>());
        lock (resourcesGate)
        {
            Volatile.Write(ref resources, [.. resources.Where(r => !(r.Group == group && r.Plural == plural)), .. ServedResource.FromCrd(copy)]);
        }
    }

    /// <summary>Stops serving the CRD's resources and deletes their objects (watches see DELETED events).</summary>
    internal void UnregisterCrd(JsonObject crd)
    {
        var (group, plural) = (crd["spec"]!["group"]!.GetValue<string>(), crd["spec"]!["names"]!["plural"]!.GetValue<string>());
        if (Resources.FirstOrDefault(r => r.Group == group && r.Plural == plural) is { } resource)
        {
            lock (Store.Gate)
            {
                foreach (var item in Store.List(resource, null))
                {
                    var metadata = item["metadata"]!;
                    Store.Write(resource, metadata["namespace"]?.GetValue<string>(), metadata["name"]!.GetValue<string>(), item, "DELETED");
                }
            }
        }

        lock (resourcesGate)
        {
            Volatile.Write(ref resources, [.. resources.Where(r => !(r.Group == group && r.Plural == plural))]);
        }
    }
}
