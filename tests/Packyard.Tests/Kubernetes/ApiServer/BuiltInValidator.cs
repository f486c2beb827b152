using System.Text;
using System.Text.Json.Nodes;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// The checks of the real server's built-in validation that a deployment manifest most often trips over: the
/// annotation size limit (kubectl's last-applied annotation on a large object), RBAC rules and role references,
/// Deployment selectors, Ingress path types, Secret data and CustomResourceDefinition names and versions. Everything
/// else a built-in kind carries is stored as sent.
/// </summary>
internal static class BuiltInValidator
{
    private const int MaxAnnotationBytes = 256 * 1024;

    public static List<FieldCause> Validate(ServedResource resource, JsonObject item, JsonObject? old)
    {
        var causes = new List<FieldCause>();
        var annotationBytes = item["metadata"]?["annotations"]?.AsObject()
            .Sum(pair => Encoding.UTF8.GetByteCount(pair.Key) + Encoding.UTF8.GetByteCount(pair.Value?.GetValue<string>() ?? "")) ?? 0;
        if (annotationBytes > MaxAnnotationBytes)
        {
            causes.Add(new FieldCause("FieldValueTooLong", "metadata.annotations", $"Too long: must have at most {MaxAnnotationBytes} bytes"));
        }

        switch (resource.Kind)
        {
            case "ClusterRole" or "Role":
                Rules(item, resource.Kind == "Role", causes);
                break;
            case "ClusterRoleBinding" or "RoleBinding":
                Binding(item, old, resource.Kind == "ClusterRoleBinding", causes);
                break;
            case "Deployment":
                Deployment(item, causes);
                break;
            case "Ingress":
                Ingress(item, causes);
                break;
            case "Secret":
                foreach (var (key, value) in item["data"]?.AsObject() ?? [])
                {
                    if (!IsBase64(value?.GetValue<string>() ?? ""))
                    {
                        causes.Add(new FieldCause(FieldCause.Invalid, $"data[{key}]", "Invalid value: illegal base64 data"));
                    }
                }

                break;
            case "CustomResourceDefinition":
                CustomResourceDefinition(item, old, causes);
                break;
        }

        return causes;
    }

    private static void Rules(JsonObject role, bool namespaced, List<FieldCause> causes)
    {
        var index = 0;
        foreach (var rule in role["rules"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var path = $"rules[{index++}]";
            if (Strings(rule["verbs"]).Count == 0)
            {
                causes.Add(new FieldCause(FieldCause.Required, $"{path}.verbs", "Required value: verbs must contain at least one value"));
            }

            var urls = Strings(rule["nonResourceURLs"]);
            if (urls.Count > 0 && namespaced)
            {
                causes.Add(new FieldCause(FieldCause.Invalid, $"{path}.nonResourceURLs", "Invalid value: namespaced rules cannot apply to non-resource URLs"));
            }
            else if (urls.Count > 0 && (Strings(rule["apiGroups"]).Count > 0 || Strings(rule["resources"]).Count > 0))
            {
                causes.Add(new FieldCause(FieldCause.Invalid, $"{path}.nonResourceURLs", "Invalid value: rules cannot apply to both regular resources and non-resource URLs"));
            }
            else if (urls.Count == 0)
            {
                if (Strings(rule["apiGroups"]).Count == 0)
                {
                    causes.Add(new FieldCause(FieldCause.Required, $"{path}.apiGroups", "Required value: resource rules must supply at least one api group"));
                }

                if (Strings(rule["resources"]).Count == 0)
                {
                    causes.Add(new FieldCause(FieldCause.Required, $"{path}.resources", "Required value: resource rules must supply at least one resource"));
                }
            }
        }
    }

    private static void Binding(JsonObject binding, JsonObject? old, bool clusterScoped, List<FieldCause> causes)
    {
        var roleRef = binding["roleRef"] as JsonObject;
        var kind = roleRef?["kind"]?.GetValue<string>();
        if (string.IsNullOrEmpty(roleRef?["name"]?.GetValue<string>()))
        {
            causes.Add(new FieldCause(FieldCause.Required, "roleRef.name", "Required value"));
        }

        if (clusterScoped ? kind != "ClusterRole" : kind is not ("Role" or "ClusterRole"))
        {
            causes.Add(new FieldCause(FieldCause.NotSupported, "roleRef.kind",
                $"Unsupported value: \"{kind}\": supported values: {(clusterScoped ? "\"ClusterRole\"" : "\"Role\", \"ClusterRole\"")}"));
        }

        if (old?["roleRef"] is { } oldRef && !JsonNode.DeepEquals(oldRef, roleRef))
        {
            causes.Add(new FieldCause(FieldCause.Invalid, "roleRef", "Invalid value: cannot change roleRef"));
        }

        var index = 0;
        foreach (var subject in binding["subjects"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var path = $"subjects[{index++}]";
            if (string.IsNullOrEmpty(subject["name"]?.GetValue<string>()))
            {
                causes.Add(new FieldCause(FieldCause.Required, $"{path}.name", "Required value"));
            }

            switch (subject["kind"]?.GetValue<string>())
            {
                case "ServiceAccount" when clusterScoped && string.IsNullOrEmpty(subject["namespace"]?.GetValue<string>()):
                    causes.Add(new FieldCause(FieldCause.Required, $"{path}.namespace", "Required value"));
                    break;
                case "ServiceAccount" or "User" or "Group":
                    break;
                case var other:
                    causes.Add(new FieldCause(FieldCause.NotSupported, $"{path}.kind",
                        $"Unsupported value: \"{other}\": supported values: \"ServiceAccount\", \"User\", \"Group\""));
                    break;
            }
        }
    }

    private static void Deployment(JsonObject deployment, List<FieldCause> causes)
    {
        var matchLabels = deployment["spec"]?["selector"]?["matchLabels"] as JsonObject;
        if (matchLabels is null || matchLabels.Count == 0)
        {
            causes.Add(new FieldCause(FieldCause.Required, "spec.selector", "Required value"));
            return;
        }

        var labels = deployment["spec"]?["template"]?["metadata"]?["labels"] as JsonObject ?? [];
        if (matchLabels.Any(pair => labels[pair.Key]?.GetValue<string>() != pair.Value?.GetValue<string>()))
        {
            causes.Add(new FieldCause(FieldCause.Invalid, "spec.template.metadata.labels",
                $"Invalid value: {labels.ToJsonString()}: `selector` does not match template `labels`"));
        }

        var containers = deployment["spec"]?["template"]?["spec"]?["containers"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        if (containers.Count == 0)
        {
            causes.Add(new FieldCause(FieldCause.Required, "spec.template.spec.containers", "Required value"));
        }

        for (var i = 0; i < containers.Count; i++)
        {
            if (string.IsNullOrEmpty(containers[i]["image"]?.GetValue<string>()))
            {
                causes.Add(new FieldCause(FieldCause.Required, $"spec.template.spec.containers[{i}].image", "Required value"));
            }
        }
    }

    private static void Ingress(JsonObject ingress, List<FieldCause> causes)
    {
        var rules = ingress["spec"]?["rules"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        for (var r = 0; r < rules.Count; r++)
        {
            var paths = rules[r]["http"]?["paths"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
            for (var p = 0; p < paths.Count; p++)
            {
                var field = $"spec.rules[{r}].http.paths[{p}]";
                if (paths[p]["pathType"]?.GetValue<string>() is not ("Exact" or "Prefix" or "ImplementationSpecific"))
                {
                    causes.Add(new FieldCause(FieldCause.Required, $"{field}.pathType", "Required value: pathType must be specified"));
                }

                if (paths[p]["backend"]?["service"] is { } service && service["port"]?["name"] is null && service["port"]?["number"] is null)
                {
                    causes.Add(new FieldCause(FieldCause.Required, $"{field}.backend.service.port", "Required value: port name or number is required"));
                }
            }
        }
    }

    private static void CustomResourceDefinition(JsonObject crd, JsonObject? old, List<FieldCause> causes)
    {
        var spec = crd["spec"] as JsonObject ?? [];
        var group = spec["group"]?.GetValue<string>() ?? "";
        var plural = spec["names"]?["plural"]?.GetValue<string>() ?? "";
        var name = crd["metadata"]?["name"]?.GetValue<string>() ?? "";
        if (name != $"{plural}.{group}")
        {
            causes.Add(new FieldCause(FieldCause.Invalid, "metadata.name", $"Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"));
        }

        if (string.IsNullOrEmpty(spec["names"]?["kind"]?.GetValue<string>()))
        {
            causes.Add(new FieldCause(FieldCause.Required, "spec.names.kind", "Required value"));
        }

        var scope = spec["scope"]?.GetValue<string>();
        if (scope is not ("Namespaced" or "Cluster"))
        {
            causes.Add(new FieldCause(FieldCause.NotSupported, "spec.scope", $"Unsupported value: \"{scope}\": supported values: \"Cluster\", \"Namespaced\""));
        }
        else if (old?["spec"]?["scope"]?.GetValue<string>() is { } oldScope && oldScope != scope)
        {
            causes.Add(new FieldCause(FieldCause.Invalid, "spec.scope", $"Invalid value: \"{scope}\": field is immutable"));
        }

        var versions = spec["versions"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        if (versions.Count(v => v["storage"]?.GetValue<bool>() == true) != 1)
        {
            causes.Add(new FieldCause(FieldCause.Invalid, "spec.versions", "Invalid value: must have exactly one version marked as storage version"));
        }
    }

    private static List<string> Strings(JsonNode? values) => values?.AsArray().Select(v => v?.GetValue<string>() ?? "").ToList() ?? [];

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }
}
