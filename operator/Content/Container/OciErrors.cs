using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Packyard.Content.Container;

/// <summary>Error answers in the OCI distribution spec's format: <c>{"errors":[{"code","message","detail"}]}</c>.</summary>
internal static class OciErrors
{
    public const string NameUnknown = "NAME_UNKNOWN";
    public const string NameInvalid = "NAME_INVALID";
    public const string ManifestUnknown = "MANIFEST_UNKNOWN";
    public const string BlobUnknown = "BLOB_UNKNOWN";
    public const string BlobUploadInvalid = "BLOB_UPLOAD_INVALID";
    public const string BlobUploadUnknown = "BLOB_UPLOAD_UNKNOWN";
    public const string ManifestInvalid = "MANIFEST_INVALID";
    public const string ManifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN";
    public const string DigestInvalid = "DIGEST_INVALID";
    public const string TagInvalid = "TAG_INVALID";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Denied = "DENIED";
    public const string Unsupported = "UNSUPPORTED";
    public const string TooManyRequests = "TOOMANYREQUESTS";
    public const string Unknown = "UNKNOWN";

    public static async Task WriteAsync(HttpContext http, int statusCode, string code, string message)
    {
        var response = http.Response;
        response.StatusCode = statusCode;
        response.Headers.Remove(ContainerRoutes.DigestHeader);
        response.Headers.CacheControl = "no-store";
        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("errors");
            json.WriteStartObject();
            json.WriteString("code", code);
            json.WriteString("message", message);
            json.WriteStartObject("detail");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), http.RequestAborted);
        }
    }

    /// <summary>The server's own refusals (<see cref="ErrorResponder"/>) under <c>/v2/</c>: its 404 means no distribution serves the name.</summary>
    public static Task RespondAsync(HttpContext http, int statusCode, string message) =>
        WriteAsync(http, statusCode, statusCode switch
        {
            StatusCodes.Status404NotFound => NameUnknown,
            StatusCodes.Status401Unauthorized => Unauthorized,
            StatusCodes.Status403Forbidden => Denied,
            StatusCodes.Status405MethodNotAllowed => Unsupported,
            StatusCodes.Status429TooManyRequests => TooManyRequests,
            _ => Unknown,
        }, statusCode == StatusCodes.Status404NotFound ? $"repository name not known to registry ({message})" : message);
}
