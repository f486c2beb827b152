using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Packyard.Content.Container;

/// <summary>
/// The OCI distribution API's push side (spec v1.1, "Push" and "Content Management") for the repository a Distribution serves
/// at the image name, when it accepts uploads (<see cref="RootRouteContext.OpenPushAsync"/>: credentials, RBAC, uploads.enabled):
/// <list type="bullet">
/// <item><c>POST blobs/uploads/</c> starts a session (202, <c>Location</c>, <c>Range</c>, <c>Docker-Upload-UUID</c>); with
/// <c>?digest=</c> and a body it is a monolithic upload (201); with <c>?mount=&amp;from=</c> it mounts a blob another
/// distribution serves (201), or starts a session when it cannot.</item>
/// <item><c>PATCH blobs/uploads/&lt;id&gt;</c> appends a chunk at the session's offset (<c>Content-Range</c> elsewhere: 416);
/// <c>PUT …?digest=</c> ends it (with an optional last chunk), the sha256 checked while the bytes stream into the store (400
/// DIGEST_INVALID, nothing kept); <c>GET</c> tells the offset (204), <c>DELETE</c> cancels. A finished blob is pending in the
/// repository: in no version until a manifest takes it in.</item>
/// <item><c>PUT manifests/&lt;tag|digest&gt;</c> checks the manifest (<see cref="ManifestParser"/>) and that every blob and child
/// manifest it references is in the repository (latest version or pending): then one new version holds it, what it
/// references and the tag (201, <c>OCI-Subject</c> for a manifest with a subject). A manifest put by digest alone, with no
/// subject, stays pending like a blob (an index's children come before the index): the index or tag that follows makes the one version.</item>
/// <item><c>DELETE manifests/&lt;tag&gt;</c> removes the tag, <c>DELETE manifests/&lt;digest&gt;</c> the manifest and its tags: a new version each (202).
/// Blobs are not deleted one by one (405): orphan cleanup reclaims what no version holds.</item>
/// </list>
/// </summary>
internal static partial class OciPushRoutes
{
    public const string UploadUuidHeader = "Docker-Upload-UUID";
    public const string SubjectHeader = "OCI-Subject";

    [GeneratedRegex("^v2/(?<name>.+)/blobs/uploads/(?<id>[^/]*)$")]
    private static partial Regex UploadPath();

    [GeneratedRegex("^v2/(?<name>.+)/(?<kind>manifests|blobs)/(?<reference>[^/]+)$")]
    private static partial Regex ReferencePath();

    [GeneratedRegex("^(?<start>[0-9]+)-(?<end>[0-9]+)$")]
    private static partial Regex ContentRangePattern();

    /// <summary>The image name of a push or upload-status request, or null when the path is not one.</summary>
    public static (string Name, string? UploadId, string? Kind, string? Reference)? Match(string path, string method)
    {
        if (UploadPath().Match(path) is { Success: true } upload)
        {
            return (upload.Groups["name"].Value, upload.Groups["id"].Value, null, null);
        }

        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && ReferencePath().Match(path) is { Success: true } reference)
        {
            return (reference.Groups["name"].Value, null, reference.Groups["kind"].Value, reference.Groups["reference"].Value);
        }

        return null;
    }

    public static async Task ServeAsync(RootRouteContext context, string name, string? uploadId, string? kind, string? reference, CancellationToken cancellationToken)
    {
        var http = context.Http;
        var method = http.Request.Method;
        if (kind == "blobs" && !HttpMethods.IsDelete(method) || kind == "manifests" && !HttpMethods.IsPut(method) && !HttpMethods.IsDelete(method))
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status405MethodNotAllowed, OciErrors.Unsupported, $"{method} is not supported on /{context.Path}");
            return;
        }

        if (kind == "blobs")
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status405MethodNotAllowed, OciErrors.Unsupported,
                "blobs are not deleted one by one: delete the manifests that use them; orphan cleanup reclaims blobs no version holds");
            return;
        }

        if (await context.OpenPushAsync(name, OciErrors.RespondAsync, cancellationToken) is not { } push)
        {
            return;
        }

        try
        {
            switch (kind, uploadId)
            {
                case ("manifests", _) when HttpMethods.IsPut(method):
                    await PutManifestAsync(http, push, name, reference!, cancellationToken);
                    break;
                case ("manifests", _):
                    await DeleteManifestAsync(http, push, name, reference!, cancellationToken);
                    break;
                case (null, "") when HttpMethods.IsPost(method):
                    await StartUploadAsync(http, push, name, cancellationToken);
                    break;
                case (null, { Length: > 0 } id):
                    await ContinueUploadAsync(http, push, name, id, cancellationToken);
                    break;
                default:
                    await OciErrors.WriteAsync(http, StatusCodes.Status405MethodNotAllowed, OciErrors.Unsupported, $"{method} is not supported on /{context.Path}");
                    break;
            }
        }
        catch (UploadDigestException e)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.DigestInvalid, e.Message);
        }
        catch (UploadRangeException e)
        {
            SetRange(http, e.Size);
            await OciErrors.WriteAsync(http, StatusCodes.Status416RangeNotSatisfiable, OciErrors.BlobUploadInvalid, e.Message);
        }
        catch (InvalidUploadException e) when (e.StatusCode == StatusCodes.Status404NotFound)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.BlobUploadUnknown, e.Message);
        }
        catch (InvalidUploadException e)
        {
            await OciErrors.WriteAsync(http, e.StatusCode, OciErrors.ManifestInvalid, e.Message);
        }
    }

    /// <summary><c>POST blobs/uploads/</c>: a mount, a monolithic upload, or a new session.</summary>
    private static async Task StartUploadAsync(HttpContext http, PushTarget push, string name, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        var mount = query["mount"].ToString();
        var from = query["from"].ToString();
        if (mount.Length > 0 && from.Length > 0 && OciDigest.IsValid(mount) && OciName.IsValidName(from)
            && await push.MountAsync(from, ContainerContentType.BlobKey(mount), cancellationToken) is not null)
        {
            await BlobCreatedAsync(http, name, mount);
            return;
        }

        var digest = query["digest"].ToString();
        if (digest.Length > 0)
        {
            if (OciDigest.Problem(digest) is { } problem)
            {
                await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.DigestInvalid, problem);
                return;
            }

            var stored = await push.StoreAsync(http.Request.Body, OciDigest.Hex(digest), cancellationToken);
            await push.AddPendingAsync(ContainerUnits.Blob(digest, stored.Size), cancellationToken);
            await BlobCreatedAsync(http, name, digest);
            return;
        }

        var session = await push.StartSessionAsync(cancellationToken);
        await UploadAcceptedAsync(http, name, session, StatusCodes.Status202Accepted);
    }

    /// <summary>PATCH, PUT, GET or DELETE on a session.</summary>
    private static async Task ContinueUploadAsync(HttpContext http, PushTarget push, string name, string id, CancellationToken cancellationToken)
    {
        var method = http.Request.Method;
        if (await push.FindSessionAsync(id, cancellationToken) is not { } session)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.BlobUploadUnknown, $"upload {id} is not known to {name} (finished, cancelled or expired)");
            return;
        }

        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            await UploadAcceptedAsync(http, name, session, StatusCodes.Status204NoContent);
            return;
        }

        if (HttpMethods.IsDelete(method))
        {
            await push.CancelSessionAsync(id, cancellationToken);
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (HttpMethods.IsPatch(method))
        {
            var offset = session.Size;
            if (http.Request.Headers["Content-Range"].ToString() is { Length: > 0 } range)
            {
                if (ContentRangePattern().Match(range.Replace("bytes ", "", StringComparison.Ordinal).Replace("bytes=", "", StringComparison.Ordinal)) is not { Success: true } parsed
                    || !long.TryParse(parsed.Groups["start"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                {
                    SetRange(http, session.Size);
                    await OciErrors.WriteAsync(http, StatusCodes.Status416RangeNotSatisfiable, OciErrors.BlobUploadInvalid, $"Content-Range '{range}' is not <start>-<end>");
                    return;
                }
            }

            var appended = await push.AppendAsync(id, offset, http.Request.Body, cancellationToken);
            await UploadAcceptedAsync(http, name, appended, StatusCodes.Status202Accepted);
            return;
        }

        if (!HttpMethods.IsPut(method))
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status405MethodNotAllowed, OciErrors.Unsupported, $"{method} is not supported on an upload");
            return;
        }

        var digest = http.Request.Query["digest"].ToString();
        if (OciDigest.Problem(digest) is { } problem)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.DigestInvalid, problem);
            return;
        }

        if (http.Request.ContentLength is not 0)
        {
            await push.AppendAsync(id, session.Size, http.Request.Body, cancellationToken);
        }

        var stored = await push.CompleteSessionAsync(id, OciDigest.Hex(digest), cancellationToken);
        await push.AddPendingAsync(ContainerUnits.Blob(digest, stored.Size), cancellationToken);
        await BlobCreatedAsync(http, name, digest);
    }

    private static async Task PutManifestAsync(HttpContext http, PushTarget push, string name, string reference, CancellationToken cancellationToken)
    {
        var byDigest = reference.Contains(':', StringComparison.Ordinal);
        if (byDigest ? OciDigest.Problem(reference) is { } problem && await Refuse(http, OciErrors.DigestInvalid, problem)
            : !OciName.IsValidTag(reference) && await Refuse(http, OciErrors.TagInvalid, $"'{reference}' is not a valid tag"))
        {
            return;
        }

        var bytes = await ReadBoundedAsync(http.Request.Body, ManifestParser.MaxManifestBytes, cancellationToken);
        if (bytes is null)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, OciErrors.ManifestInvalid,
                $"the manifest is larger than {ManifestParser.MaxManifestBytes} bytes");
            return;
        }

        ParsedManifest manifest;
        try
        {
            manifest = ManifestParser.Parse(bytes, byDigest ? reference : null, http.Request.ContentType, $"{name}:{reference}");
        }
        catch (ArtifactDigestException e)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.DigestInvalid, e.Message);
            return;
        }
        catch (ManifestException e)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.ManifestInvalid, e.Message);
            return;
        }

        var units = new Dictionary<string, DeclaredContent>(StringComparer.Ordinal);
        foreach (var blob in manifest.Blobs)
        {
            if (!await AddBlobAsync(push, blob.Digest, units, cancellationToken))
            {
                await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.ManifestBlobUnknown,
                    $"blob unknown to registry: {blob.Digest} ({blob.MediaType}) was not pushed to {name}");
                return;
            }
        }

        foreach (var child in manifest.Children)
        {
            var missing = child.Digest == manifest.Digest ? child.Digest : await AddManifestAsync(push, child.Digest, units, depth: 1, cancellationToken);
            if (missing is not null)
            {
                await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.ManifestUnknown, child.Digest == manifest.Digest
                    ? $"manifest unknown: the index references itself ({child.Digest})"
                    : $"manifest unknown: the index references {child.Digest}, and {missing} was not pushed to {name}");
                return;
            }
        }

        await push.StoreAsync(new MemoryStream(bytes, writable: false), OciDigest.Hex(manifest.Digest), cancellationToken);
        var unit = ContainerUnits.Manifest(manifest);
        if (byDigest && manifest.Subject is null)
        {
            await push.AddPendingAsync(unit, cancellationToken);
        }
        else
        {
            List<DeclaredContent> add = [.. units.Values, unit];
            if (!byDigest)
            {
                add.Add(ContainerUnits.Tag(reference, manifest));
            }

            await push.CommitAsync(add, [], cancellationToken);
        }

        http.Response.StatusCode = StatusCodes.Status201Created;
        http.Response.Headers.Location = $"/v2/{name}/manifests/{manifest.Digest}";
        http.Response.Headers[ContainerRoutes.DigestHeader] = manifest.Digest;
        if (manifest.Subject is { } subject)
        {
            http.Response.Headers[SubjectHeader] = subject.Digest;
        }
    }

    /// <summary>Adds the blob's unit (in the repository's latest version or pending in it); false when it is neither.</summary>
    private static async Task<bool> AddBlobAsync(PushTarget push, string digest, Dictionary<string, DeclaredContent> units, CancellationToken cancellationToken)
    {
        var key = ContainerContentType.BlobKey(digest);
        if (units.ContainsKey(key))
        {
            return true;
        }

        if (await push.FindAsync(key, cancellationToken) is not { } unit)
        {
            return false;
        }

        units[key] = unit;
        return true;
    }

    /// <summary>
    /// Adds a pushed manifest's unit with everything it references (an index child pushed by digest is pending with its blobs):
    /// null when all were found, else the digest of the first that was not.
    /// </summary>
    private static async Task<string?> AddManifestAsync(PushTarget push, string digest, Dictionary<string, DeclaredContent> units, int depth, CancellationToken cancellationToken)
    {
        var key = ContainerContentType.ManifestKey(digest);
        if (units.ContainsKey(key))
        {
            return null;
        }

        if (depth > ContainerSyncSource.MaxIndexDepth || await push.FindAsync(key, cancellationToken) is not { } unit)
        {
            return digest;
        }

        units[key] = unit;
        var metadata = JsonSerializer.Deserialize(unit.MetadataJson, ContainerJsonContext.Default.OciManifestMetadata);
        foreach (var blob in metadata?.Blobs ?? [])
        {
            if (!await AddBlobAsync(push, blob, units, cancellationToken))
            {
                return blob;
            }
        }

        foreach (var child in metadata?.Manifests ?? [])
        {
            if (await AddManifestAsync(push, child.Digest, units, depth + 1, cancellationToken) is { } missing)
            {
                return missing;
            }
        }

        return null;
    }

    private static async Task DeleteManifestAsync(HttpContext http, PushTarget push, string name, string reference, CancellationToken cancellationToken)
    {
        var tags = await push.ReadCurrentAsync("tag:", cancellationToken);
        List<string> remove;
        if (reference.Contains(':', StringComparison.Ordinal))
        {
            if (OciDigest.Problem(reference) is { } problem)
            {
                await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.DigestInvalid, problem);
                return;
            }

            if ((await push.ReadCurrentAsync(ContainerContentType.ManifestKey(reference), cancellationToken)).Count == 0)
            {
                await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.ManifestUnknown, $"manifest unknown: {name} has no manifest {reference}");
                return;
            }

            remove = [ContainerContentType.ManifestKey(reference), .. tags.Where(t => t.NaturalKey.EndsWith("@" + reference, StringComparison.Ordinal)).Select(t => t.RepoKey)];
        }
        else
        {
            if (!tags.Any(t => t.RepoKey == ContainerContentType.TagRepoKey(reference)))
            {
                await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.ManifestUnknown, $"manifest unknown: {name} has no tag '{reference}'");
                return;
            }

            remove = [ContainerContentType.TagRepoKey(reference)];
        }

        await push.CommitAsync([], remove, cancellationToken);
        http.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static async Task<bool> Refuse(HttpContext http, string code, string message)
    {
        await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, code, message);
        return true;
    }

    private static Task BlobCreatedAsync(HttpContext http, string name, string digest)
    {
        http.Response.StatusCode = StatusCodes.Status201Created;
        http.Response.Headers.Location = $"/v2/{name}/blobs/{digest}";
        http.Response.Headers[ContainerRoutes.DigestHeader] = digest;
        http.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    private static Task UploadAcceptedAsync(HttpContext http, string name, UploadSession session, int status)
    {
        http.Response.StatusCode = status;
        http.Response.Headers.Location = $"/v2/{name}/blobs/uploads/{session.Id}";
        http.Response.Headers[UploadUuidHeader] = session.Id;
        SetRange(http, session.Size);
        http.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary><c>Range: 0-&lt;last byte received&gt;</c> (<c>0-0</c> before any byte, as the reference registry answers).</summary>
    private static void SetRange(HttpContext http, long size) =>
        http.Response.Headers.Range = $"0-{Math.Max(0, size - 1).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The body, or null when it is longer than <paramref name="limit"/> bytes (reading stops there).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
