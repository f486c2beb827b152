using System.Text.Json.Nodes;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>An error answer: the HTTP code and the metav1.Status body the real API server would send.</summary>
public sealed class ApiError(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = Code;
        return status;
    }

    public static ApiError NotFound(ServedResource resource, string name) =>
        new(404, "NotFound", $"{resource.GroupResource} \"{name}\" not found", Details(resource, name));

    public static ApiError AlreadyExists(ServedResource resource, string name) =>
        new(409, "AlreadyExists", $"{resource.GroupResource} \"{name}\" already exists", Details(resource, name));

    public static ApiError Conflict(ServedResource resource, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {resource.GroupResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            Details(resource, name));

    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiError Expired(string message) => new(410, "Expired", message);

    /// <summary>422 Invalid with one cause per field, formatted as the API server formats them.</summary>
    public static ApiError Invalid(ServedResource resource, string name, IReadOnlyList<FieldCause> causes)
    {
        var summary = causes.Count == 1
            ? $"{causes[0].Field}: {causes[0].Message}"
            : "[" + string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}")) + "]";
        var details = new JsonObject
        {
            ["name"] = name,
            ["group"] = resource.Group,
            ["kind"] = resource.Kind,
            ["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject
            {
                ["reason"] = c.Reason,
                ["message"] = c.Message,
                ["field"] = c.Field,
            }).ToArray()),
        };
        return new ApiError(422, "Invalid", $"{resource.QualifiedKind} \"{name}\" is invalid: {summary}", details);
    }

    private static JsonObject Details(ServedResource resource, string name) =>
        new() { ["name"] = name, ["group"] = resource.Group, ["kind"] = resource.Plural };
}
