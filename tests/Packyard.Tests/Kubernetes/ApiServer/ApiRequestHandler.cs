using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// One request to the test API server: discovery (<c>ApiRequestHandler.Discovery.cs</c>), reads, lists and watches
/// (<c>ApiRequestHandler.Read.cs</c>) and writes (this file).
/// </summary>
internal sealed partial class ApiRequestHandler(TestApiServer server, HttpContext context, CancellationToken stopping)
{
    private ResourceStore Store => server.Store;

    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public async Task HandleAsync()
    {
        try
        {
            await DispatchAsync();
        }
        catch (ApiError error)
        {
            await WriteAsync(context, error.Code, error.ToStatus());
        }
        catch (Exception exception) when (exception is not OperationCanceledException && !context.Response.HasStarted)
        {
            // A bug in the test server: answer as the real server answers a panic, with the exception in the message.
            await WriteAsync(context, 500, new ApiError(500, "InternalError", exception.ToString()).ToStatus());
        }
    }

    public static async Task WriteAsync(HttpContext context, int code, JsonNode body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private async Task DispatchAsync()
    {
        var segments = context.Request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (await TryDiscoveryAsync(segments))
        {
            return;
        }

        var request = RequestAttributes.From(context.Request);
        if (!request.IsResourceRequest)
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        var (@namespace, name, subresource) = (request.Namespace, request.Name, request.Subresource);
        var resource = server.Resources.FirstOrDefault(r => r.Group == request.Group && r.Version == request.Version && r.Plural == request.Resource)
            ?? throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        if (resource.Namespaced != (@namespace is not null) && name is not null)
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        if (subresource is not null && !(subresource == "status" && resource.HasStatusSubresource))
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        if (!resource.Verbs.Contains(request.Verb))
        {
            throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }

        if (await TryReviewAsync(resource))
        {
            return;
        }

        var method = context.Request.Method;
        switch (method)
        {
            case "GET" when name is null && IsWatch():
                await WatchAsync(resource, @namespace);
                break;
            case "GET" when name is null:
                await WriteListAsync(resource, @namespace);
                break;
            case "GET":
                await WriteObjectAsync(resource, 200, Store.Get(resource, @namespace, name) ?? throw ApiError.NotFound(resource, name));
                break;
            case "POST" when name is null:
                await WriteObjectAsync(resource, 201, Create(resource, @namespace, await ReadBodyAsync()));
                break;
            case "PUT" when name is not null:
                await WriteObjectAsync(resource, 200, Update(resource, @namespace, name, subresource, await ReadBodyAsync(), fromPatch: false));
                break;
            case "PATCH" when name is not null:
                var (code, patched) = Patch(resource, @namespace, name, subresource, await ReadBodyAsync());
                await WriteObjectAsync(resource, code, patched);
                break;
            case "DELETE" when name is not null:
                await WriteObjectAsync(resource, 200, Delete(resource, @namespace, name, await ReadOptionalBodyAsync()));
                break;
            default:
                throw new ApiError(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
        }
    }

    private bool IsWatch() => context.Request.Query["watch"].ToString() is "1" or "true";

    private async Task<JsonObject> ReadBodyAsync() =>
        await ReadOptionalBodyAsync() ?? throw ApiError.BadRequest("the request body is empty");

    private async Task<JsonObject?> ReadOptionalBodyAsync()
    {
        if (context.Request.ContentType?.Contains("protobuf", StringComparison.Ordinal) == true)
        {
            // kubectl's typed commands (create namespace, create rolebinding, auth can-i) send protobuf; this server
            // decodes JSON and YAML only, and says so as the real server does for a media type it cannot decode.
            throw new ApiError(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            var node = context.Request.ContentType?.Contains("yaml", StringComparison.Ordinal) == true ? YamlJson.Parse(text) : JsonNode.Parse(text);
            return node as JsonObject ?? throw ApiError.BadRequest("the request body is not an object");
        }
        catch (Exception exception) when (exception is JsonException or YamlDotNet.Core.YamlException)
        {
            throw ApiError.BadRequest($"the body of the request could not be decoded: {exception.Message}");
        }
    }

    private async Task WriteObjectAsync(ServedResource resource, int code, JsonObject item)
    {
        if (WantsTable())
        {
            var metadata = new JsonObject { ["resourceVersion"] = item["metadata"]?["resourceVersion"]?.DeepClone() };
            await WriteAsync(context, code, TableConverter.Convert(resource, [item], metadata, context.Request.Query["includeObject"]));
            return;
        }

        await WriteAsync(context, code, item);
    }

    private bool WantsTable() => context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    private JsonObject Create(ServedResource resource, string? @namespace, JsonObject body)
    {
        CheckKind(resource, body);
        var metadata = body["metadata"] as JsonObject ?? [];
        body["metadata"] = metadata;
        if (metadata["name"] is null && metadata["generateName"]?.GetValue<string>() is { } prefix)
        {
            metadata["name"] = prefix + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..5].ToLowerInvariant();
        }

        var name = metadata["name"]?.GetValue<string>() ?? "";
        if (name.Length == 0)
        {
            throw ApiError.Invalid(resource, "", [new FieldCause(FieldCause.Required, "metadata.name", "Required value: name or generateName is required")]);
        }

        SetNamespace(resource, @namespace, metadata);
        if (!DnsSubdomain().IsMatch(name))
        {
            throw ApiError.Invalid(resource, name, [new FieldCause(FieldCause.Invalid, "metadata.name",
                $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]);
        }

        lock (Store.Gate)
        {
            if (Store.Get(resource, @namespace, name) is not null)
            {
                throw ApiError.AlreadyExists(resource, name);
            }

            foreach (var system in new[] { "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "generation", "managedFields", "selfLink" })
            {
                metadata.Remove(system);
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Now();
            if (resource.HasStatusSubresource)
            {
                body.Remove("status");
            }

            Prepare(resource, name, body, old: null);
            if (resource.IsCustom)
            {
                metadata["generation"] = 1;
            }

            if (resource.Kind == "Namespace")
            {
                body["status"] = new JsonObject { ["phase"] = "Active" };
            }

            return Written(resource, Store.Write(resource, @namespace, name, body, "ADDED"), "ADDED");
        }
    }

    private JsonObject Update(ServedResource resource, string? @namespace, string name, string? subresource, JsonObject body, bool fromPatch)
    {
        CheckKind(resource, body);
        lock (Store.Gate)
        {
            var old = Store.Get(resource, @namespace, name) ?? throw ApiError.NotFound(resource, name);
            var metadata = body["metadata"] as JsonObject ?? [];
            body["metadata"] = metadata;
            var sentVersion = metadata["resourceVersion"]?.GetValue<string>();
            var currentVersion = old["metadata"]!["resourceVersion"]!.GetValue<string>();
            if (string.IsNullOrEmpty(sentVersion))
            {
                if (resource.IsCustom && !fromPatch)
                {
                    throw ApiError.Invalid(resource, name, [new FieldCause(FieldCause.Invalid, "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")]);
                }
            }
            else if (sentVersion != currentVersion)
            {
                throw ApiError.Conflict(resource, name);
            }

            if (metadata["name"]?.GetValue<string>() is { } bodyName && bodyName != name)
            {
                throw ApiError.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            SetNamespace(resource, @namespace, metadata);
            JsonObject updated;
            if (subresource == "status")
            {
                // The status subresource writes the status only; spec and metadata changes are ignored.
                updated = (JsonObject)old.DeepClone();
                updated["status"] = body["status"]?.DeepClone();
                if (updated["status"] is null)
                {
                    updated.Remove("status");
                }
            }
            else
            {
                updated = body;
                var oldMetadata = old["metadata"]!.AsObject();
                foreach (var system in new[] { "uid", "creationTimestamp", "deletionTimestamp", "generation", "name", "namespace" })
                {
                    metadata[system] = oldMetadata[system]?.DeepClone();
                    if (metadata[system] is null)
                    {
                        metadata.Remove(system);
                    }
                }

                if (resource.HasStatusSubresource)
                {
                    // With a status subresource the main resource ignores status.
                    updated["status"] = old["status"]?.DeepClone();
                    if (updated["status"] is null)
                    {
                        updated.Remove("status");
                    }
                }

                if (oldMetadata["deletionTimestamp"] is not null)
                {
                    var before = Finalizers(old);
                    var added = Finalizers(updated).Where(f => !before.Contains(f)).ToList();
                    if (added.Count > 0)
                    {
                        throw ApiError.Invalid(resource, name, [new FieldCause(FieldCause.Forbidden, "metadata.finalizers",
                            $"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{\"{string.Join("\", \"", added)}\"}}")]);
                    }
                }
            }

            Prepare(resource, name, updated, old);
            updated["metadata"]!["resourceVersion"] = currentVersion;
            if (JsonNode.DeepEquals(WithoutVolatile(updated), WithoutVolatile(old)))
            {
                // A no-op write changes nothing, not even the resourceVersion.
                return old;
            }

            if (resource.IsCustom && !JsonNode.DeepEquals(Spec(updated), Spec(old)))
            {
                updated["metadata"]!["generation"] = (old["metadata"]!["generation"] is { } generation ? long.Parse(generation.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) : 0) + 1;
            }

            var deleting = updated["metadata"]!["deletionTimestamp"] is not null && Finalizers(updated).Count == 0;
            var eventType = deleting ? "DELETED" : "MODIFIED";
            return Written(resource, Store.Write(resource, @namespace, name, updated, eventType), eventType);
        }
    }

    private (int Code, JsonObject Item) Patch(ServedResource resource, string? @namespace, string name, string? subresource, JsonObject patch)
    {
        var contentType = context.Request.ContentType?.Split(';')[0].Trim();
        var apply = contentType == "application/apply-patch+yaml";
        if (contentType == "application/strategic-merge-patch+json" && resource.IsCustom || contentType is not ("application/merge-patch+json" or "application/apply-patch+yaml" or "application/strategic-merge-patch+json"))
        {
            throw new ApiError(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }

        if (apply && string.IsNullOrEmpty(context.Request.Query["fieldManager"]))
        {
            throw ApiError.BadRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }

        lock (Store.Gate)
        {
            var old = Store.Get(resource, @namespace, name);
            if (old is null)
            {
                if (!apply || subresource is not null)
                {
                    throw ApiError.NotFound(resource, name);
                }

                // Server-side apply of a missing object creates it.
                return (201, Create(resource, @namespace, patch));
            }

            // Server-side apply is approximated by a merge of the applied configuration: fields it sets win, fields it
            // omits are kept (no managedFields, so a field dropped from the configuration is not removed; force is ignored).
            var patched = JsonMergePatch.Apply(old, patch)!.AsObject();
            return (200, Update(resource, @namespace, name, subresource, patched, fromPatch: true));
        }
    }

    private JsonObject Delete(ServedResource resource, string? @namespace, string name, JsonObject? options)
    {
        lock (Store.Gate)
        {
            var old = Store.Get(resource, @namespace, name) ?? throw ApiError.NotFound(resource, name);
            if (options?["preconditions"]?["resourceVersion"]?.GetValue<string>() is { } precondition
                && precondition != old["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                throw ApiError.Conflict(resource, name);
            }

            if (Finalizers(old).Count > 0)
            {
                if (old["metadata"]!["deletionTimestamp"] is not null)
                {
                    return old;
                }

                // With finalizers, delete only marks the object; it goes away when the last finalizer is removed.
                old["metadata"]!["deletionTimestamp"] = Now();
                old["metadata"]!["deletionGracePeriodSeconds"] = 0;
                return Store.Write(resource, @namespace, name, old, "MODIFIED");
            }

            return Written(resource, Store.Write(resource, @namespace, name, old, "DELETED"), "DELETED");
        }
    }

    /// <summary>kind/apiVersion, Secret stringData, schema pruning, defaulting and validation (422), fieldValidation.</summary>
    private void Prepare(ServedResource resource, string name, JsonObject item, JsonObject? old)
    {
        item["apiVersion"] = resource.ApiVersion;
        item["kind"] = resource.Kind;
        if (resource.Kind == "Secret" && item["stringData"] is JsonObject stringData)
        {
            var data = item["data"] as JsonObject ?? [];
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? ""));
            }

            item["data"] = data;
            item.Remove("stringData");
        }

        if (resource.Schema is null)
        {
            PrepareBuiltIn(resource, name, item, old);
            return;
        }

        var causes = new List<FieldCause>();
        var unknown = new List<string>();
        SchemaValidator.Process(item, resource.Schema, old, causes, unknown);
        var validation = context.Request.Query["fieldValidation"].ToString();
        if (unknown.Count > 0 && validation == "Strict")
        {
            throw ApiError.BadRequest(unknown.Count == 1
                ? $"strict decoding error: unknown field \"{unknown[0]}\""
                : "strict decoding error: " + string.Join(", ", unknown.Select(u => $"unknown field \"{u}\"")));
        }

        if (unknown.Count > 0 && validation != "Ignore")
        {
            foreach (var field in unknown)
            {
                context.Response.Headers.Append("Warning", $"299 - \"unknown field \\\"{field}\\\"\"");
            }
        }

        if (causes.Count > 0)
        {
            throw ApiError.Invalid(resource, name, causes);
        }
    }

    private void SetNamespace(ServedResource resource, string? @namespace, JsonObject metadata)
    {
        if (!resource.Namespaced)
        {
            metadata.Remove("namespace");
            return;
        }

        if (metadata["namespace"]?.GetValue<string>() is { Length: > 0 } bodyNamespace && bodyNamespace != @namespace)
        {
            throw ApiError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        if (@namespace is null)
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        if (!Store.NamespaceExists(@namespace))
        {
            throw new ApiError(404, "NotFound", $"namespaces \"{@namespace}\" not found",
                new JsonObject { ["name"] = @namespace, ["kind"] = "namespaces" });
        }

        metadata["namespace"] = @namespace;
    }

    private static void CheckKind(ServedResource resource, JsonObject body)
    {
        if (body["kind"]?.GetValue<string>() is { } kind && kind != resource.Kind)
        {
            throw ApiError.BadRequest($"the kind of the object ({kind}) does not match the resource ({resource.Kind})");
        }
    }

    private static List<string> Finalizers(JsonObject item) =>
        item["metadata"]?["finalizers"]?.AsArray().Select(f => f!.GetValue<string>()).ToList() ?? [];

    /// <summary>Everything but metadata and status: what a generation counts.</summary>
    private static JsonObject Spec(JsonObject item)
    {
        var copy = (JsonObject)item.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    private static JsonObject WithoutVolatile(JsonObject item)
    {
        var copy = (JsonObject)item.DeepClone();
        copy["metadata"]?.AsObject().Remove("managedFields");
        return copy;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
