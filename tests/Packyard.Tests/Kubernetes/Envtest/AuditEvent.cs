using System.Text.Json;

namespace Packyard.Tests.Kubernetes.Envtest;

/// <summary>One request as the API server's audit log records it.</summary>
public sealed record AuditEvent(
    string Verb,
    string User,
    IReadOnlyList<string> Groups,
    string RequestUri,
    string? Resource,
    string? Subresource,
    string? Namespace,
    string? Name,
    int Code,
    string? UserAgent)
{
    /// <summary>create, update, patch, delete or deletecollection.</summary>
    public bool IsWrite => Verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    public static AuditEvent From(JsonElement e)
    {
        var user = e.GetProperty("user");
        e.TryGetProperty("objectRef", out var objectRef);
        string? Ref(string name) => objectRef.ValueKind == JsonValueKind.Object && objectRef.TryGetProperty(name, out var value) ? value.GetString() : null;
        return new AuditEvent(
            e.GetProperty("verb").GetString() ?? "",
            user.TryGetProperty("username", out var username) ? username.GetString() ?? "" : "",
            user.TryGetProperty("groups", out var groups) ? groups.EnumerateArray().Select(g => g.GetString() ?? "").ToList() : [],
            e.GetProperty("requestURI").GetString() ?? "",
            Ref("resource"),
            Ref("subresource"),
            Ref("namespace"),
            Ref("name"),
            e.TryGetProperty("responseStatus", out var status) && status.TryGetProperty("code", out var code) ? code.GetInt32() : 0,
            e.TryGetProperty("userAgent", out var agent) ? agent.GetString() : null);
    }
}
