using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
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
/// straight into the artifact store) and optional fields such as <c>relativePath</c>.
/// </summary>
public sealed class UploadEndpoint(EngineCatalog catalog, UploadService uploads, IArtifactStore store,
    IUploadAuthorizer authorizer, IRepositoryChangeNotifier notifier, IRepositorySource repositories)
{
    public async Task HandleAsync(HttpContext http, string ns, string name)
    {
        var cancellationToken = http.RequestAborted;
        var status = await authorizer.AuthorizeAsync(http, ns, name, cancellationToken);
        if (status != StatusCodes.Status200OK)
        {
            if (status == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"packyard\"";
            }

            await ErrorAsync(http, status, status == 401 ? "authentication required" : $"not allowed to upload to {ns}/{name}");
            return;
        }

        var target = await catalog.FindUploadTargetAsync(ns, name, cancellationToken);
        if (target is null)
        {
            await ErrorAsync(http, 404, $"repository {ns}/{name} does not exist");
            return;
        }

        // Before uploads.enabled: a Mirror repository refuses every upload, and its answer must not suggest enabling them.
        try
        {
            if (await repositories.FindRepositoryAsync(ns, name, cancellationToken) is { } declared && UploadRefusal.For(declared) is { } refusal)
            {
                await ErrorAsync(http, StatusCodes.Status409Conflict, refusal);
                return;
            }
        }
        catch (RepositorySourceUnavailableException e)
        {
            http.Response.Headers.RetryAfter = "5";
            await ErrorAsync(http, StatusCodes.Status503ServiceUnavailable, e.Message);
            return;
        }

        if (!target.UploadsEnabled)
        {
            await ErrorAsync(http, 403, $"repository {ns}/{name} does not accept uploads; set spec.uploads.enabled: true");
            return;
        }

        var boundary = http.Request.ContentType is { } contentType && MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            ? HeaderUtilities.RemoveQuotes(parsed.Boundary).Value : null;
        if (string.IsNullOrEmpty(boundary))
        {
            await ErrorAsync(http, 415, "expected a multipart/form-data body with a file part");
            return;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
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
                    using var text = new StreamReader(section.Body);
                    fields[partName] = await text.ReadToEndAsync(cancellationToken);
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

        try
        {
            var outcome = await uploads.UploadStoredAsync(target.RepositoryId, $"{ns}/{name}", target.Type, fileName, fields, stored, cancellationToken);
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

    private static async Task ErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(new ErrorResponse(message), ServerJsonContext.Default.ErrorResponse, cancellationToken: http.RequestAborted);
    }
}
