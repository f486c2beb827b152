using System.Text.Json.Nodes;

namespace Packyard.Tests.Kubernetes.ApiServer;

internal sealed partial class ApiRequestHandler
{
    /// <summary>/version, /api, /apis, /apis/{group} and the APIResourceLists; legacy (unaggregated) discovery only.</summary>
    private async Task<bool> TryDiscoveryAsync(string[] segments)
    {
        JsonNode? body = segments switch
        {
            ["version"] => new JsonObject
            {
                ["major"] = "1",
                ["minor"] = "32",
                ["gitVersion"] = "v1.32.0-packyard-test",
                ["platform"] = "linux/amd64",
            },
            ["api"] => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
                {
                    ["clientCIDR"] = "0.0.0.0/0",
                    ["serverAddress"] = $"{context.Request.Host}",
                }),
            },
            ["apis"] => new JsonObject
            {
                ["kind"] = "APIGroupList",
                ["apiVersion"] = "v1",
                ["groups"] = new JsonArray(Groups().Select(g => (JsonNode)Group(g)).ToArray()),
            },
            ["apis", var group] when Groups().Contains(group) => Group(group),
            ["api", "v1"] => ResourceList("", "v1"),
            ["apis", var group, var version] when server.Resources.Any(r => r.Group == group && r.Version == version) =>
                ResourceList(group, version),
            ["openapi", "v3"] => OpenApiRoot(),
            ["openapi", "v3", "api", "v1"] => OpenApiGroupVersion("", "v1"),
            ["openapi", "v3", "apis", var group, var version] when server.Resources.Any(r => r.Group == group && r.Version == version) =>
                OpenApiGroupVersion(group, version),
            _ => null,
        };
        if (body is null)
        {
            return false;
        }

        await WriteAsync(context, 200, body);
        return true;
    }

    private IEnumerable<string> Groups() => server.Resources.Select(r => r.Group).Where(g => g.Length > 0).Distinct();

    private JsonObject Group(string group)
    {
        var versions = server.Resources.Where(r => r.Group == group).Select(r => r.Version).Distinct().ToList();
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v }).ToArray()),
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
        };
    }

    private JsonObject ResourceList(string group, string version)
    {
        var resources = new JsonArray();
        foreach (var resource in server.Resources.Where(r => r.Group == group && r.Version == version))
        {
            var entry = new JsonObject
            {
                ["name"] = resource.Plural,
                ["singularName"] = resource.Singular,
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = new JsonArray(resource.Verbs.Select(v => (JsonNode)v!).ToArray()),
            };
            if (resource.ShortNames.Count > 0)
            {
                entry["shortNames"] = new JsonArray(resource.ShortNames.Select(s => (JsonNode)s!).ToArray());
            }

            if (resource.Categories.Count > 0)
            {
                entry["categories"] = new JsonArray(resource.Categories.Select(c => (JsonNode)c!).ToArray());
            }

            resources.Add(entry);
            if (resource.HasStatusSubresource)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = resource.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = resource.Namespaced,
                    ["kind"] = resource.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    /// <summary>
    /// The OpenAPI v3 index kubectl reads before writing. Each group-version document lists, per kind, a PATCH operation
    /// tagged with x-kubernetes-group-version-kind and the <c>fieldValidation</c> query parameter, which is all kubectl
    /// needs to use server-side field validation. No schemas are published, so kubectl neither validates client-side nor
    /// builds strategic merge patches for custom resources (it sends JSON merge patches, as with a real server).
    /// </summary>
    private JsonObject OpenApiRoot()
    {
        var paths = new JsonObject();
        foreach (var (group, version) in server.Resources.Select(r => (r.Group, r.Version)).Distinct())
        {
            var key = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash=0" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    private JsonObject OpenApiGroupVersion(string group, string version)
    {
        var paths = new JsonObject();
        foreach (var resource in server.Resources.Where(r => r.Group == group && r.Version == version))
        {
            var root = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var path = resource.Namespaced ? $"{root}/namespaces/{{namespace}}/{resource.Plural}/{{name}}" : $"{root}/{resource.Plural}/{{name}}";
            paths[path] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = resource.Kind },
                    ["parameters"] = new JsonArray(
                        new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                        new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }
}
