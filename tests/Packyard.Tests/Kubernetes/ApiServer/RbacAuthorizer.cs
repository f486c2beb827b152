using System.Text.Json.Nodes;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// RBAC as the API server evaluates it, over the ClusterRoles, Roles and bindings stored in the test server: members of
/// <c>system:masters</c> may do anything (the privileged-group authorizer that runs before RBAC); otherwise a request is
/// allowed when a ClusterRoleBinding, or a RoleBinding in the request's namespace, binds a subject matching the user
/// to a role with a rule matching the verb, API group, resource (or <c>resource/subresource</c>, <c>*/subresource</c>),
/// resource name, or non-resource URL. No rule means no opinion: not allowed, with an empty reason.
/// </summary>
internal static class RbacAuthorizer
{
    private const string Group = "rbac.authorization.k8s.io";

    public static AuthorizationDecision Authorize(TestApiServer server, TestUser user, RequestAttributes request)
    {
        if (user.Groups.Contains(TestUser.Masters))
        {
            return new AuthorizationDecision(true, "");
        }

        var store = server.Store;
        foreach (var binding in store.List(server.Resource(Group, "clusterrolebindings"), null))
        {
            if (Subject(binding, user, null) is { } subject
                && Role(server, binding, null) is { } role
                && Rules(role).Any(rule => Allows(rule, request)))
            {
                return new AuthorizationDecision(true,
                    $"RBAC: allowed by ClusterRoleBinding \"{Name(binding)}\" of ClusterRole \"{Name(role)}\" to {subject}");
            }
        }

        if (request.Namespace is { } @namespace)
        {
            foreach (var binding in store.List(server.Resource(Group, "rolebindings"), @namespace))
            {
                if (Subject(binding, user, @namespace) is { } subject
                    && Role(server, binding, @namespace) is { } role
                    && Rules(role).Any(rule => Allows(rule, request)))
                {
                    return new AuthorizationDecision(true,
                        $"RBAC: allowed by RoleBinding \"{Name(binding)}/{@namespace}\" of {role["kind"]} \"{Name(role)}\" to {subject}");
                }
            }
        }

        return new AuthorizationDecision(false, "");
    }

    /// <summary>The 403 the API server sends when no authorizer allowed the request.</summary>
    public static ApiError Forbidden(TestUser user, RequestAttributes request)
    {
        if (!request.IsResourceRequest)
        {
            return new ApiError(403, "Forbidden", $"forbidden: User \"{user.Name}\" cannot {request.Verb} path \"{request.Path}\"");
        }

        var target = request.Name is null ? request.Resource : $"{request.Resource} \"{request.Name}\"";
        var scope = request.Namespace is null ? "at the cluster scope" : $"in the namespace \"{request.Namespace}\"";
        return new ApiError(403, "Forbidden",
            $"{target} is forbidden: User \"{user.Name}\" cannot {request.Verb} resource \"{request.ResourceWithSubresource}\" in API group \"{request.Group}\" {scope}",
            new JsonObject { ["name"] = request.Name ?? "", ["group"] = request.Group, ["kind"] = request.Resource });
    }

    /// <summary>The first subject of the binding that is the user, described as RBAC describes it; null when none is.</summary>
    private static string? Subject(JsonObject binding, TestUser user, string? bindingNamespace)
    {
        foreach (var subject in binding["subjects"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var kind = subject["kind"]?.GetValue<string>();
            var name = subject["name"]?.GetValue<string>() ?? "";
            switch (kind)
            {
                case "User" when name == user.Name:
                case "Group" when user.Groups.Contains(name):
                    return $"{kind} \"{name}\"";
                case "ServiceAccount":
                    var @namespace = subject["namespace"]?.GetValue<string>() ?? bindingNamespace ?? "";
                    if (user.Name == $"system:serviceaccount:{@namespace}:{name}")
                    {
                        return $"ServiceAccount \"{name}/{@namespace}\"";
                    }

                    break;
            }
        }

        return null;
    }

    private static JsonObject? Role(TestApiServer server, JsonObject binding, string? bindingNamespace)
    {
        var roleRef = binding["roleRef"];
        var name = roleRef?["name"]?.GetValue<string>() ?? "";
        return roleRef?["kind"]?.GetValue<string>() switch
        {
            "ClusterRole" => server.Store.Get(server.Resource(Group, "clusterroles"), null, name),
            "Role" when bindingNamespace is not null => server.Store.Get(server.Resource(Group, "roles"), bindingNamespace, name),
            _ => null,
        };
    }

    private static IEnumerable<JsonObject> Rules(JsonObject role) => role["rules"]?.AsArray().OfType<JsonObject>() ?? [];

    private static bool Allows(JsonObject rule, RequestAttributes request)
    {
        if (!Contains(rule["verbs"], request.Verb))
        {
            return false;
        }

        if (!request.IsResourceRequest)
        {
            return Strings(rule["nonResourceURLs"]).Any(url => url == "*" || url == request.Path
                || url.EndsWith('*') && request.Path.StartsWith(url[..^1], StringComparison.Ordinal));
        }

        var resourceNames = Strings(rule["resourceNames"]).ToList();
        return Contains(rule["apiGroups"], request.Group)
            && Strings(rule["resources"]).Any(resource => resource == "*" || resource == request.ResourceWithSubresource
                || request.Subresource is not null && resource == "*/" + request.Subresource)
            && (resourceNames.Count == 0 || request.Name is not null && resourceNames.Contains(request.Name));
    }

    private static bool Contains(JsonNode? values, string value) => Strings(values).Any(v => v == "*" || v == value);

    private static IEnumerable<string> Strings(JsonNode? values) =>
        values?.AsArray().Select(v => v?.GetValue<string>() ?? "") ?? [];

    private static string Name(JsonObject item) => item["metadata"]?["name"]?.GetValue<string>() ?? "";
}
