using Microsoft.AspNetCore.Http;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// What a request asks for, as the API server's request-info resolver sees it: the Kubernetes verb (get, list, watch,
/// create, update, patch, delete, deletecollection) and the resource it acts on, or the path of a non-resource request
/// (discovery, /version, /openapi). Authorization and the request log both work on this.
/// </summary>
public sealed record RequestAttributes
{
    public required string Verb { get; init; }
    public required string Path { get; init; }

    /// <summary>False for discovery, /version and /openapi.</summary>
    public bool IsResourceRequest { get; init; }

    public string Group { get; init; } = "";
    public string Version { get; init; } = "";
    public string Resource { get; init; } = "";
    public string? Subresource { get; init; }
    public string? Namespace { get; init; }
    public string? Name { get; init; }

    /// <summary>create, update, patch, delete and deletecollection change state; the other verbs only read.</summary>
    public bool IsWrite => Verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    /// <summary><c>resource</c> or <c>resource/subresource</c>, as RBAC rules name it.</summary>
    public string ResourceWithSubresource => Subresource is null ? Resource : $"{Resource}/{Subresource}";

    public static RequestAttributes From(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        string[] rest;
        if (segments is ["api", var coreVersion, _, ..])
        {
            (group, version, rest) = ("", coreVersion, segments[2..]);
        }
        else if (segments is ["apis", var apiGroup, var apiVersion, _, ..])
        {
            (group, version, rest) = (apiGroup, apiVersion, segments[3..]);
        }
        else
        {
            return new RequestAttributes { Verb = request.Method.ToLowerInvariant(), Path = path };
        }

        string? @namespace = null, name, subresource;
        string resource;
        if (rest is ["namespaces", var ns, var namespacedResource, .. var tail])
        {
            (@namespace, resource, name, subresource) = (ns, namespacedResource, tail.ElementAtOrDefault(0), tail.ElementAtOrDefault(1));
        }
        else
        {
            (resource, name, subresource) = (rest[0], rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2));
        }

        var watch = request.Query["watch"].ToString() is "1" or "true";
        var verb = request.Method switch
        {
            "GET" or "HEAD" when name is null => watch ? "watch" : "list",
            "GET" or "HEAD" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" when name is null => "deletecollection",
            "DELETE" => "delete",
            _ => request.Method.ToLowerInvariant(),
        };
        return new RequestAttributes
        {
            Verb = verb,
            Path = path,
            IsResourceRequest = true,
            Group = group,
            Version = version,
            Resource = resource,
            Subresource = subresource,
            Namespace = @namespace,
            Name = name,
        };
    }
}
