using System.Text.Json.Nodes;

namespace Packyard.Tests.Kubernetes.ApiServer;

internal sealed partial class ApiRequestHandler
{
    /// <summary>
    /// TokenReview and SubjectAccessReview: answered from the token table and the stored RBAC
    /// objects, echoed back with a status and 201 Created, never stored. Other resources: false.
    /// </summary>
    private async Task<bool> TryReviewAsync(ServedResource resource)
    {
        Func<JsonObject, JsonObject>? review = (resource.Group, resource.Plural) switch
        {
            ("authentication.k8s.io", "tokenreviews") => TokenReview,
            ("authorization.k8s.io", "subjectaccessreviews") => body => AccessReview(resource, body),
            _ => null,
        };
        if (review is null)
        {
            return false;
        }

        var body = await ReadBodyAsync();
        CheckKind(resource, body);
        body["apiVersion"] = resource.ApiVersion;
        body["kind"] = resource.Kind;
        body["metadata"] ??= new JsonObject();
        body["metadata"]!["creationTimestamp"] = null;
        body["status"] = review(body);
        await WriteAsync(context, 201, body);
        return true;
    }

    private JsonObject TokenReview(JsonObject body)
    {
        var token = body["spec"]?["token"]?.GetValue<string>();
        if (string.IsNullOrEmpty(token))
        {
            throw ApiError.BadRequest("token is required for TokenReview in authentication");
        }

        if (server.UserOfToken(token) is not { } user)
        {
            return new JsonObject { ["authenticated"] = false, ["user"] = new JsonObject() };
        }

        var requested = body["spec"]?["audiences"]?.AsArray().Select(a => a!.GetValue<string>()).ToList() ?? [];
        var audiences = requested.Count == 0 ? user.Audiences.ToList() : requested.Intersect(user.Audiences).ToList();
        if (audiences.Count == 0)
        {
            return new JsonObject
            {
                ["authenticated"] = false,
                ["user"] = new JsonObject(),
                ["error"] = $"token audiences [{string.Join(", ", user.Audiences.Select(a => $"\"{a}\""))}] is invalid for the target audiences [{string.Join(", ", requested.Select(a => $"\"{a}\""))}]",
            };
        }

        return new JsonObject
        {
            ["authenticated"] = true,
            ["user"] = new JsonObject
            {
                ["username"] = user.Name,
                ["uid"] = user.Uid,
                ["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)g!).ToArray()),
            },
            ["audiences"] = new JsonArray(audiences.Select(a => (JsonNode)a!).ToArray()),
        };
    }

    private JsonObject AccessReview(ServedResource resource, JsonObject body)
    {
        var spec = body["spec"] as JsonObject ?? [];
        var resourceAttributes = spec["resourceAttributes"] as JsonObject;
        var nonResourceAttributes = spec["nonResourceAttributes"] as JsonObject;
        var causes = new List<FieldCause>();
        if ((resourceAttributes is null) == (nonResourceAttributes is null))
        {
            causes.Add(new FieldCause(FieldCause.Invalid, "spec.resourceAttributes",
                $"Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        }

        var name = spec["user"]?.GetValue<string>() ?? "";
        var groups = spec["groups"]?.AsArray().Select(g => g!.GetValue<string>()).ToList() ?? [];
        if (name.Length == 0 && groups.Count == 0)
        {
            causes.Add(new FieldCause(FieldCause.Invalid, "spec.user", "Invalid value: \"\": at least one of user or group must be specified"));
        }

        var user = new TestUser(name, groups);

        if (causes.Count > 0)
        {
            throw ApiError.Invalid(resource, "", causes);
        }

        var attributes = resourceAttributes is not null
            ? new RequestAttributes
            {
                IsResourceRequest = true,
                Path = "",
                Verb = resourceAttributes["verb"]?.GetValue<string>() ?? "",
                Group = resourceAttributes["group"]?.GetValue<string>() ?? "",
                Version = resourceAttributes["version"]?.GetValue<string>() ?? "",
                Resource = resourceAttributes["resource"]?.GetValue<string>() ?? "",
                Subresource = resourceAttributes["subresource"]?.GetValue<string>() is { Length: > 0 } subresource ? subresource : null,
                Namespace = resourceAttributes["namespace"]?.GetValue<string>() is { Length: > 0 } ns ? ns : null,
                Name = resourceAttributes["name"]?.GetValue<string>() is { Length: > 0 } objectName ? objectName : null,
            }
            : new RequestAttributes
            {
                Path = nonResourceAttributes!["path"]?.GetValue<string>() ?? "",
                Verb = nonResourceAttributes["verb"]?.GetValue<string>() ?? "",
            };
        var decision = RbacAuthorizer.Authorize(server, user, attributes);
        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Reason.Length > 0)
        {
            status["reason"] = decision.Reason;
        }

        return status;
    }
}
