using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Packyard.Engine.Catalog;
using Packyard.Engine.Downloads;
using Packyard.Engine.Storage;
using Packyard.Engine.Versions;

namespace Packyard.Server;

/// <summary>Decides whether a request may upload into a repository (a static token standalone; TokenReview in a cluster).</summary>
public interface IUploadAuthorizer
{
    /// <summary>401 when no credentials were sent, 403 when they do not allow the upload, 200 when allowed.</summary>
    Task<int> AuthorizeAsync(HttpContext http, string ns, string repository, CancellationToken cancellationToken);
}

/// <summary>Told when an upload created a version, so the repository is published.</summary>
public interface IRepositoryChangeNotifier
{
    void VersionCreated(string ns, string repository);
}

/// <summary>
/// <c>POST /api/v1/namespaces/{ns}/repositories/{name}/content</c>: multipart form with one file part (streamed
/// straight into the artifact store) and optional fields such as <c>relativePath</c>; or, for a content type whose
/// parser accepts <see cref="UploadBodies.Raw"/>, the request body itself with <c>?filename=…</c> and fields in the query.
/// A type's root routes (<see cref="RootRouteContext.UploadAsync"/>) upload raw bodies the same way.
/// </summary>
public sealed partial class UploadEndpoint(EngineCatalog catalog, UploadService uploads, IArtifactStore store,
    IUploadAuthorizer authorizer, IRepositoryChangeNotifier notifier, IRepositorySource repositories, UploadOptions options,
    ContentTypeRegistry contentTypes, ILogger<UploadEndpoint> logger)
{
    /// <summary>The query parameter naming a raw body's file.</summary>
    public const string FileNameParameter = "filename";

    /// <summary>
    /// Handles one upload. A failing database, artifact store or disk is answered as downloads answer it
    /// (<see cref="DependencyFailure"/>: 503 with Retry-After, 507 when the disk is full), with a JSON error.
    /// </summary>
    public async Task HandleAsync(HttpContext http, string ns, string name) => await HandleAsync(http, ns, name, raw: null);

    /// <summary>Handles one upload; <paramref name="raw"/> (from a type's root route) takes the request body as the file.</summary>
    internal async Task HandleAsync(HttpContext http, string ns, string name, RawUpload? raw)
    {
        try
        {
            await HandleCoreAsync(http, ns, name, raw);
        }
        catch (Exception e) when (!http.Response.HasStarted && DependencyFailure.From(e) is { } failure)
        {
            LogUploadFailed(logger, ns, name, $"{failure.Message}: {failure.Detail}");
            failure.Apply(http.Response);
            await ErrorAsync(http, failure.StatusCode, failure.Message);
        }
    }

    private async Task HandleCoreAsync(HttpContext http, string ns, string name, RawUpload? raw)
    {
        var cancellationToken = http.RequestAborted;
        var admission = await AdmitAsync(http, ns, name, cancellationToken);
        if (admission.Target is not { } target)
        {
            if (admission.Status == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"packyard\"";
            }
            else if (admission.Status == StatusCodes.Status503ServiceUnavailable)
            {
                http.Response.Headers.RetryAfter = "5";
            }

            await ErrorAsync(http, admission.Status, admission.Message!);
            return;
        }

        var accepts = contentTypes.TryGet(target.Type, out var plugin) && plugin.UploadParser is { } parser ? parser.Accepts : UploadBodies.Multipart;
        var boundary = http.Request.ContentType is { } contentType && MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            ? HeaderUtilities.RemoveQuotes(parsed.Boundary).Value : null;
        if (raw is not null || string.IsNullOrEmpty(boundary))
        {
            if (!accepts.HasFlag(UploadBodies.Raw))
            {
                await ErrorAsync(http, 415, "expected a multipart/form-data body with a file part");
                return;
            }

            await UploadRawAsync(http, ns, name, target, raw ?? RawUpload.FromQuery(http.Request.Query), cancellationToken);
            return;
        }

        if (!accepts.HasFlag(UploadBodies.Multipart))
        {
            await ErrorAsync(http, 415, $"content type '{target.Type}' takes the file as the request body, not as a multipart form");
            return;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        long fieldBytes = 0;
        StoredArtifact? stored = null;
        string? fileName = null;
        var reader = new MultipartReader(boundary, http.Request.Body);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                var partName = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.FileName.HasValue || disposition.FileNameStar.HasValue)
                {
                    if (stored is not null)
                    {
                        await ErrorAsync(http, 400, "send exactly one file per upload");
                        return;
                    }

                    fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value);
                    stored = await store.PutAsync(section.Body, null, cancellationToken);
                }
                else
                {
                    if (fields.Count >= options.MaxFields)
                    {
                        await ErrorAsync(http, 400, $"the form has more than {options.MaxFields} fields");
                        return;
                    }

                    var limit = (int)Math.Min(options.MaxFieldBytes, options.MaxFieldsTotalBytes - fieldBytes);
                    if (await ReadFieldAsync(section.Body, limit, cancellationToken) is not { } value)
                    {
                        await ErrorAsync(http, 400, limit < options.MaxFieldBytes
                            ? $"the form's fields are larger than {options.MaxFieldsTotalBytes} bytes together"
                            : $"form field '{Shorten(partName)}' is larger than {options.MaxFieldBytes} bytes");
                        return;
                    }

                    fieldBytes += Encoding.UTF8.GetByteCount(value);
                    fields[partName] = value;
                }
            }
        }
        catch (InvalidDataException e)
        {
            await ErrorAsync(http, 400, $"malformed multipart body: {e.Message}");
            return;
        }

        if (stored is null || string.IsNullOrEmpty(fileName))
        {
            await ErrorAsync(http, 400, "the form has no file part");
            return;
        }

        await AddAsync(http, ns, name, target, fileName, fields, stored, UploadBodies.Multipart, null, cancellationToken);
    }

    /// <summary>
    /// The upload API's checks of an upload into <paramref name="ns"/>/<paramref name="name"/>, in order: credentials (401, 403),
    /// the repository (404), a Mirror sync (409), <c>spec.uploads.enabled</c> (403). Type routes that push
    /// (<see cref="RootRouteContext.OpenPushAsync"/>) pass the same checks.
    /// </summary>
    internal async Task<UploadAdmission> AdmitAsync(HttpContext http, string ns, string name, CancellationToken cancellationToken)
    {
        var status = await authorizer.AuthorizeAsync(http, ns, name, cancellationToken);
        if (status != StatusCodes.Status200OK)
        {
            return UploadAdmission.Refused(status, status switch
            {
                StatusCodes.Status401Unauthorized => "authentication required",
                StatusCodes.Status503ServiceUnavailable => "the API server could not review the request; try again",
                _ => $"not allowed to upload to {ns}/{name}",
            });
        }

        var target = await catalog.FindUploadTargetAsync(ns, name, cancellationToken);
        if (target is null)
        {
            return UploadAdmission.Refused(404, $"repository {ns}/{name} does not exist");
        }

        // Before uploads.enabled: a Mirror repository refuses every upload, and its answer must not suggest enabling them.
        Api.Resources.Repository? declared;
        try
        {
            declared = await repositories.FindRepositoryAsync(ns, name, cancellationToken);
            if (declared is not null && UploadRefusal.For(declared) is { } refusal)
            {
                return UploadAdmission.Refused(StatusCodes.Status409Conflict, refusal);
            }
        }
        catch (RepositorySourceUnavailableException e)
        {
            return UploadAdmission.Refused(StatusCodes.Status503ServiceUnavailable, e.Message);
        }

        if (!target.UploadsEnabled)
        {
            return UploadAdmission.Refused(403, $"repository {ns}/{name} does not accept uploads; set spec.uploads.enabled: true");
        }

        return new UploadAdmission(target, declared, StatusCodes.Status200OK, null);
    }

    /// <summary>A raw body: streamed into the store as it arrives, then described by the type as a form's file is.</summary>
    private async Task UploadRawAsync(HttpContext http, string ns, string name, UploadTarget target, RawUpload raw, CancellationToken cancellationToken)
    {
        var fileName = Path.GetFileName(raw.FileName);
        if (string.IsNullOrEmpty(fileName))
        {
            await ErrorAsync(http, 400, $"name the uploaded file with ?{FileNameParameter}=");
            return;
        }

        if (raw.Fields.Count > options.MaxFields)
        {
            await ErrorAsync(http, 400, $"the upload has more than {options.MaxFields} fields");
            return;
        }

        var stored = await store.PutAsync(http.Request.Body, null, cancellationToken);
        await AddAsync(http, ns, name, target, fileName, raw.Fields, stored, UploadBodies.Raw, http.Request.ContentType, cancellationToken);
    }

    private async Task AddAsync(HttpContext http, string ns, string name, UploadTarget target, string fileName,
        IReadOnlyDictionary<string, string> fields, StoredArtifact stored, UploadBodies body, string? mediaType, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await uploads.UploadStoredAsync(target.RepositoryId, $"{ns}/{name}", target.Type, fileName, fields, stored, cancellationToken, body, mediaType);
            if (outcome.Version.Created)
            {
                notifier.VersionCreated(ns, name);
            }

            var artifact = outcome.Content.Artifacts[0];
            http.Response.StatusCode = outcome.Version.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
            await http.Response.WriteAsJsonAsync(new UploadResponse($"{ns}/{name}", outcome.Version.Version, outcome.Version.Created,
                artifact.RelativePath, artifact.Sha256, artifact.Size ?? stored.Size), ServerJsonContext.Default.UploadResponse, cancellationToken: cancellationToken);
        }
        catch (InvalidUploadException e)
        {
            await ErrorAsync(http, e.StatusCode, e.Message);
        }
    }

    /// <summary>The field's text, or null when it is longer than <paramref name="limit"/> bytes (reading stops there).</summary>
    private static async Task<string?> ReadFieldAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(limit + 1, 4096)];
        using var value = new MemoryStream();
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (value.Length + read > limit)
            {
                return null;
            }

            value.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(value.GetBuffer(), 0, (int)value.Length);
    }

    private static string Shorten(string partName) => partName.Length <= 64 ? partName : partName[..64] + "…";

    [LoggerMessage(EventId = Engine.PackyardEventIds.UploadFailed, Level = LogLevel.Warning, Message = "Upload to {Namespace}/{Repository} failed: {Reason}")]
    private static partial void LogUploadFailed(ILogger logger, string @namespace, string repository, string reason);

    private static async Task ErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(new ErrorResponse(message), ServerJsonContext.Default.ErrorResponse, cancellationToken: http.RequestAborted);
    }
}
