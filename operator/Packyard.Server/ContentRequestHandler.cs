using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Secrets;
using Packyard.Engine.Storage;

namespace Packyard.Server;

/// <summary>
/// Serves <c>/&lt;basePath&gt;/…</c>: finds the distribution, checks its content guard, resolves the publication
/// (pinned, newest, or a checkpoint), then answers with the type's own routes, a published file, a pass-through
/// artifact (fetched on demand when needed) or a directory listing. GET and HEAD, Range, ETag and Last-Modified
/// come from ASP.NET Core's file results.
/// </summary>
public sealed partial class ContentRequestHandler(
    DistributionCache distributions,
    FileLookup files,
    SmallFileCache smallFiles,
    PullThroughService pullThrough,
    DirectoryListing listing,
    OnDemandFetcher fetcher,
    IArtifactStore store,
    ContentTypeRegistry contentTypes,
    ILogger<ContentRequestHandler> logger)
{
    private const string CheckpointFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const string CacheImmutable = "public, max-age=31536000, immutable";
    private const string CachePublished = "public, max-age=60";
    private const string CacheArtifact = "public, max-age=300";
    private const string AcceptRangesBytes = "bytes";
    private const int SendChunkBytes = 64 * 1024;
    private readonly FileExtensionContentTypeProvider mediaTypes = PackageMediaTypes(contentTypes);

    /// <summary>ASP.NET Core's extension map plus the package formats the registered content types declare (<see cref="ContentTypePlugin.MediaTypes"/>).</summary>
    private static FileExtensionContentTypeProvider PackageMediaTypes(ContentTypeRegistry contentTypes)
    {
        var provider = new FileExtensionContentTypeProvider();
        foreach (var name in contentTypes.Names)
        {
            foreach (var (extension, mediaType) in contentTypes.Get(name).MediaTypes ?? new Dictionary<string, string>())
            {
                provider.Mappings[extension] = mediaType;
            }
        }

        return provider;
    }

    /// <summary>The <see cref="HttpContext.Items"/> key of a type's <see cref="ErrorResponder"/> (<see cref="RootRouteContext"/>).</summary>
    internal static readonly object ErrorResponderKey = new();

    [GeneratedRegex(@"^\d{8}T\d{6}Z$")]
    private static partial Regex CheckpointPattern();

    /// <summary>
    /// Serves one request. A dead database or artifact store is a 503 naming it (with Retry-After), never a 500:
    /// clients and CDNs retry, and the message tells an operator where to look.
    /// </summary>
    /// <param name="path">The path to serve, when not the request's own (a type's root route serving a distribution's file).</param>
    public async Task HandleAsync(HttpContext http, string? path = null)
    {
        try
        {
            await HandleCoreAsync(http, path ?? http.Request.Path.Value ?? "/");
        }
        catch (Exception e) when (!http.Response.HasStarted && DependencyFailure.From(e) is { } failure)
        {
            LogServeFailed(logger, http.Request.Path.Value ?? "", $"{failure.Message}: {failure.Detail}");
            failure.Apply(http.Response);
            await ErrorAsync(http, failure.StatusCode, failure.Message);
        }
        catch (SecretKeyException e) when (!http.Response.HasStarted)
        {
            LogServeFailed(logger, http.Request.Path.Value ?? "", e.Message);
            await ErrorAsync(http, StatusCodes.Status502BadGateway, "the remote's stored credentials cannot be read (secret key mismatch)");
        }
    }

    private PullThroughService PullThroughs => pullThrough;

    private async Task<Stream?> OpenPublishedAsync(ServedPublication publication, string path, CancellationToken cancellationToken)
    {
        var file = await files.FindAsync(publication, path, cancellationToken);
        return file is { Stored: true, MediaType: not null } ? await store.OpenReadAsync(file.Sha256, 0, cancellationToken) : null;
    }

    private ILogger Logger => logger;

    private async Task HandleCoreAsync(HttpContext http, string path)
    {
        var cancellationToken = http.RequestAborted;
        // Kestrel has already percent-decoded the path (all but %2F): decoding again would turn a%2541 into aA.
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            if (HttpMethods.IsPost(http.Request.Method) && await TryUploadAsync(http, path, cancellationToken))
            {
                return;
            }

            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            http.Response.Headers.Allow = "GET, HEAD";
            await RespondWithTypeErrorAsync(http, StatusCodes.Status405MethodNotAllowed, "only GET and HEAD are served here");
            return;
        }

        var match = await distributions.MatchAsync(path, cancellationToken);
        if (match is not { } found)
        {
            await NotFoundAsync(http);
            return;
        }

        var (distribution, rest) = found;
        if (!Authorized(http, distribution))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.Headers.WWWAuthenticate = distribution.Guard!.Tokens.Count > 0 && distribution.Guard.Users.Count == 0
                ? "Bearer realm=\"packyard\""
                : "Basic realm=\"packyard\", charset=\"UTF-8\"";
            await RespondWithTypeErrorAsync(http, StatusCodes.Status401Unauthorized, "authentication required");
            return;
        }

        var publicationBase = distribution.BasePath;
        ServedPublication? publication;
        var immutable = false;
        var firstSegment = distribution.Checkpoints ? FirstSegment(rest) : "";
        if (distribution.Checkpoints && CheckpointPattern().IsMatch(firstSegment))
        {
            if (!DateTimeOffset.TryParseExact(firstSegment, CheckpointFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                await NotFoundAsync(http, $"{firstSegment} is not a valid checkpoint time (YYYYMMDDTHHMMSSZ)");
                return;
            }

            publication = await distributions.PublicationAtAsync(distribution.RepositoryId, at, cancellationToken);
            if (publication is null)
            {
                await NotFoundAsync(http, $"no publication of this distribution existed at {firstSegment}");
                return;
            }

            var canonical = Canonical(publication.Created);
            rest = rest.Length > firstSegment.Length ? rest[(firstSegment.Length + 1)..] : "";
            if (canonical != firstSegment)
            {
                http.Response.Redirect($"/{distribution.BasePath}/{canonical}/{rest}{http.Request.QueryString}");
                http.Response.Headers.CacheControl = "public, max-age=60";
                return;
            }

            publicationBase = $"{distribution.BasePath}/{canonical}";
            immutable = true;
        }
        else
        {
            publication = await distributions.CurrentPublicationAsync(distribution, cancellationToken);
        }

        if (publication is null)
        {
            await NotFoundAsync(http, "this distribution has no publication yet");
            return;
        }

        if (contentTypes.TryGet(distribution.Type, out var plugin) && plugin.Routes is { } routes)
        {
            var context = new Context(this, http, distribution, publicationBase, publication, immutable, path);
            if (await routes.TryServeAsync(context, rest, cancellationToken))
            {
                return;
            }
        }

        if (rest.Length == 0 && !path.EndsWith('/'))
        {
            RedirectToDirectory(http);
            return;
        }

        if (rest.Length == 0 || rest.EndsWith('/'))
        {
            if (!await listing.WriteAsync(http, publication, publicationBase, rest, immutable, cancellationToken))
            {
                await NotFoundAsync(http);
            }

            return;
        }

        if (await ServeFileAsync(http, publication, rest, immutable, cancellationToken))
        {
            return;
        }

        if (await listing.ExistsAsync(publication, rest + "/", cancellationToken))
        {
            RedirectToDirectory(http);
            return;
        }

        await NotFoundAsync(http);
    }

    /// <summary>
    /// A POST to one of the type's <see cref="ContentTypePlugin.UploadPaths"/> of a distribution (python's <c>legacy/</c>): an
    /// upload into the distribution's Repository, exactly as the upload API takes it. False when the path is no upload path.
    /// </summary>
    private async Task<bool> TryUploadAsync(HttpContext http, string path, CancellationToken cancellationToken)
    {
        if (await distributions.MatchAsync(path, cancellationToken) is not var (distribution, rest)
            || !contentTypes.TryGet(distribution.Type, out var plugin) || plugin.UploadPaths is not { } uploadPaths
            || !uploadPaths.Contains(rest.TrimEnd('/'), StringComparer.Ordinal))
        {
            return false;
        }

        await http.RequestServices.GetRequiredService<UploadEndpoint>().HandleAsync(http, distribution.Namespace, distribution.RepositoryName);
        return true;
    }

    private static string FirstSegment(string path) => path.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? path[..slash] : path;

    /// <summary>A directory asked for without its trailing slash: redirect, so relative links in its listing resolve inside it.</summary>
    private static void RedirectToDirectory(HttpContext http)
    {
        http.Response.Redirect($"{http.Request.PathBase}{http.Request.Path}/{http.Request.QueryString}");
        http.Response.Headers.CacheControl = "public, max-age=60";
    }

    /// <summary>Serves a published file or pass-through artifact; false when the publication has nothing at the path.</summary>
    internal async Task<bool> ServeFileAsync(HttpContext http, ServedPublication publication, string path, bool immutable, CancellationToken cancellationToken)
    {
        var file = await files.FindAsync(publication, path, cancellationToken);
        if (file is null)
        {
            return false;
        }

        var mediaType = file.MediaType ?? (mediaTypes.TryGetContentType(path, out var guessed) ? guessed : "application/octet-stream");
        http.Response.Headers.CacheControl = immutable ? CacheImmutable : file.MediaType is not null ? CachePublished : CacheArtifact;
        var etag = file.EntityTag;

        if (!file.Stored)
        {
            var source = file.ContentArtifactId is { } id ? await fetcher.FindSourceAsync(id, cancellationToken) : null;
            if (source is null)
            {
                await ErrorAsync(http, StatusCodes.Status502BadGateway, $"'{path}' is listed but neither stored nor known to any remote");
                return true;
            }

            var outcome = await StreamOrFetchAsync(http, file, path, mediaType, etag, source, cancellationToken);
            files.Forget(publication, path);
            if (outcome != UpstreamOutcome.Fetched)
            {
                return true;
            }

        }

        if (await TryServeStoredAsync(http, file, mediaType, etag, cancellationToken))
        {
            return true;
        }

        // Recorded as stored, but the store has lost the object (restored empty, removed by hand): fetch it again from a
        // remote that still has it, as on a first OnDemand request, instead of failing every client until a sync repairs it.
        files.Forget(publication, path);
        var known = file.ContentArtifactId is { } artifactId ? await fetcher.FindSourceAsync(artifactId, cancellationToken) : null;
        if (known is not null)
        {
            LogRefetch(logger, path);
            if (await StreamOrFetchAsync(http, file, path, mediaType, etag, known, cancellationToken) != UpstreamOutcome.Fetched
                || await TryServeStoredAsync(http, file, mediaType, etag, cancellationToken))
            {
                return true;
            }
        }

        http.Response.Headers.RetryAfter = "5";
        await ErrorAsync(http, StatusCodes.Status503ServiceUnavailable, $"'{path}' is missing from the artifact store");
        return true;
    }

    /// <summary>
    /// Serves a file whose blob is recorded as stored. False when the store does not have the object, before anything of
    /// the response is set; the store failing (unreachable, timed out) throws <see cref="ArtifactStoreException"/>.
    /// </summary>
    private async Task<bool> TryServeStoredAsync(HttpContext http, ServedFile file, string mediaType, EntityTagHeaderValue etag,
        CancellationToken cancellationToken)
    {
        var local = file.LocalPath ?? store.TryGetLocalPath(file.Sha256);
        if (file.Size is { } size && IsPlainRequest(http.Request))
        {
            // The common case, kept cheap: no preconditions, no range, header values precomputed, a small file's
            // bytes from memory, a larger local file copied straight into the response pipe.
            var small = await smallFiles.GetAsync(file, cancellationToken);
            if (small is not null || local is not null)
            {
                var get = HttpMethods.IsGet(http.Request.Method);
                using var handle = small is null && get ? TryOpen(local!) : null;
                if ((small is null && get && handle is null) || (small is null && !get && !File.Exists(local)))
                {
                    return false;
                }

                var response = http.Response;
                response.ContentType = mediaType;
                response.ContentLength = size;
                var headers = response.Headers;
                headers.ETag = file.ETag;
                headers.LastModified = file.LastModifiedHeader;
                headers.AcceptRanges = AcceptRangesBytes;
                if (get)
                {
                    await (small is not null ? response.BodyWriter.WriteAsync(small, cancellationToken).AsTask()
                        : SendLocalFileAsync(http, handle!, size, cancellationToken));
                }

                return true;
            }
        }

        if (local is not null)
        {
            if (!File.Exists(local))
            {
                return false;
            }

            await TypedResults.PhysicalFile(local, mediaType, lastModified: file.LastModified, entityTag: etag, enableRangeProcessing: true).ExecuteAsync(http);
            return true;
        }

        switch (await RemoteRange.TryServeAsync(http, store, file, mediaType, etag, cancellationToken))
        {
            case RemoteRange.Outcome.Served:
                return true;
            case RemoteRange.Outcome.Missing:
                return false;
        }

        var stream = await store.OpenReadAsync(file.Sha256, 0, cancellationToken);
        if (stream is null)
        {
            return false;
        }

        await TypedResults.Stream(stream, mediaType, lastModified: file.LastModified, entityTag: etag, enableRangeProcessing: stream.CanSeek).ExecuteAsync(http);
        return true;
    }

    /// <summary>Opens a stored local file for reading, or null when it is gone.</summary>
    private static Microsoft.Win32.SafeHandles.SafeFileHandle? TryOpen(string local)
    {
        try
        {
            return File.OpenHandle(local, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Gets a file the store does not hold from a remote that has it: a Streamed remote's body goes straight to the client,
    /// any other policy fetches it into the store for the caller to serve. A failing upstream answers 502 (message sanitised).
    /// </summary>
    private async Task<UpstreamOutcome> StreamOrFetchAsync(HttpContext http, ServedFile file, string path, string mediaType,
        EntityTagHeaderValue etag, Engine.Catalog.ArtifactSource source, CancellationToken cancellationToken)
    {
        try
        {
            if (source.Remote.Policy == DownloadPolicy.Streamed)
            {
                await StreamFromUpstreamAsync(http, file, mediaType, etag, source, cancellationToken);
                return UpstreamOutcome.Streamed;
            }

            // A plain GET gets the bytes while they are stored, unless another request is fetching them already.
            if (HttpMethods.IsGet(http.Request.Method) && IsPlainRequest(http.Request)
                && await fetcher.TryStreamAndStoreAsync(http, file, path, mediaType, source, cancellationToken))
            {
                return UpstreamOutcome.Streamed;
            }

            await fetcher.FetchAsync(file, path, source, cancellationToken);
            return UpstreamOutcome.Fetched;
        }
        catch (PackyardException e)
        {
            var message = UrlSanitizer.Sanitize(e.Message);
            LogServeFailed(logger, path, message);
            await ErrorAsync(http, StatusCodes.Status502BadGateway, message);
            return UpstreamOutcome.Failed;
        }
    }

    /// <summary>
    /// Streamed policy: the upstream body goes to the client as it arrives and is never stored. It is hashed on the
    /// way; on a digest mismatch the response is aborted, so the client sees a failed transfer, not a complete one.
    /// </summary>
    private async Task StreamFromUpstreamAsync(HttpContext http, ServedFile file, string mediaType, EntityTagHeaderValue etag,
        Engine.Catalog.ArtifactSource source, CancellationToken cancellationToken)
    {
        await using var response = await fetcher.OpenStreamAsync(source, cancellationToken);
        http.Response.ContentType = mediaType;
        http.Response.Headers.ETag = etag.ToString();
        http.Response.Headers.CacheControl = "no-store";
        if (file.Size is { } size)
        {
            http.Response.ContentLength = size;
        }

        if (HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }

        // The last chunk is held back until the digest is checked: with Content-Length set, a client cannot see a
        // complete response unless the content matched.
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var current = new byte[81920];
        var held = new byte[81920];
        var heldLength = 0;
        int read;
        while ((read = await response.Body.ReadAsync(current, cancellationToken)) > 0)
        {
            hash.AppendData(current, 0, read);
            if (heldLength > 0)
            {
                await http.Response.Body.WriteAsync(held.AsMemory(0, heldLength), cancellationToken);
            }

            (current, held, heldLength) = (held, current, read);
        }

        if (!string.Equals(Convert.ToHexStringLower(hash.GetHashAndReset()), file.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            LogServeFailed(logger, http.Request.Path.Value ?? "", "streamed content does not match its declared sha256; response aborted");
            http.Abort();
            return;
        }

        await http.Response.Body.WriteAsync(held.AsMemory(0, heldLength), cancellationToken);
    }

    /// <summary>
    /// Copies a local file into the response pipe: read with positional reads straight into Kestrel's buffers (no
    /// intermediate copy buffer, no async file I/O round trip through the thread pool for page-cached data).
    /// A file shorter than recorded aborts the response, so the client sees a failed transfer.
    /// </summary>
    private static async Task SendLocalFileAsync(HttpContext http, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long size, CancellationToken cancellationToken)
    {
        var writer = http.Response.BodyWriter;
        long offset = 0;
        while (offset < size)
        {
            var memory = writer.GetMemory((int)Math.Min(size - offset, SendChunkBytes));
            var wanted = (int)Math.Min(memory.Length, size - offset);
            var read = RandomAccess.Read(handle, memory.Span[..wanted], offset);
            if (read == 0)
            {
                http.Abort();
                return;
            }

            writer.Advance(read);
            offset += read;
            var flushed = await writer.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>True when the request has no range and no precondition, so the whole file is the answer.</summary>
    private static bool IsPlainRequest(HttpRequest request)
    {
        var headers = request.Headers;
        return headers.Range.Count == 0 && headers.IfNoneMatch.Count == 0 && headers.IfModifiedSince.Count == 0
            && headers.IfMatch.Count == 0 && headers.IfUnmodifiedSince.Count == 0 && headers.IfRange.Count == 0;
    }

    internal static bool Authorized(HttpContext http, ServedDistribution distribution)
    {
        if (distribution.Guard is not { } guard)
        {
            return true;
        }

        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon > 0 && guard.AllowsBasic(decoded[..colon], decoded[(colon + 1)..]);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && guard.AllowsToken(header[7..].Trim());
    }

    /// <summary>The checkpoint timestamp naming a publication: its creation time rounded up to the second.</summary>
    internal static string Canonical(DateTimeOffset created)
    {
        var seconds = new DateTimeOffset(created.UtcTicks - (created.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        if (seconds < created)
        {
            seconds = seconds.AddSeconds(1);
        }

        return seconds.ToString(CheckpointFormat, CultureInfo.InvariantCulture);
    }

    private static Task NotFoundAsync(HttpContext http, string message = "not found") => ErrorAsync(http, StatusCodes.Status404NotFound, message);

    internal static async Task ErrorAsync(HttpContext http, int status, string message)
    {
        if (await RespondWithTypeErrorAsync(http, status, message))
        {
            return;
        }

        http.Response.StatusCode = status;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.ContentType = "text/plain; charset=utf-8";
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.WriteAsync(message + "\n", http.RequestAborted);
        }
    }

    /// <summary>Lets a type's root route word the refusal (<see cref="ErrorResponder"/>); false when the request has none.</summary>
    private static async Task<bool> RespondWithTypeErrorAsync(HttpContext http, int status, string message)
    {
        if (!http.Items.TryGetValue(ErrorResponderKey, out var value) || value is not ErrorResponder responder)
        {
            return false;
        }

        http.Response.StatusCode = status;
        http.Response.Headers.CacheControl = "no-store";
        await responder(http, status, message);
        return true;
    }

    [LoggerMessage(EventId = Engine.PackyardEventIds.ServeFailed, Level = LogLevel.Warning, Message = "Serving {Path} failed: {Reason}")]
    private static partial void LogServeFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = Engine.PackyardEventIds.ArtifactRefetch, Level = LogLevel.Warning,
        Message = "{Path} is recorded as stored but missing from the artifact store; fetching it again from its remote")]
    private static partial void LogRefetch(ILogger logger, string path);

    [LoggerMessage(EventId = Engine.PackyardEventIds.PullThroughFailed, Level = LogLevel.Warning, Message = "Pull-through of {Name} for {BasePath} failed: {Reason}")]
    private static partial void LogPullThroughFailed(ILogger logger, string name, string basePath, string reason);

    private sealed class Context(ContentRequestHandler handler, HttpContext http, ServedDistribution distribution, string basePath,
        ServedPublication publication, bool immutable, string requestPath) : ServeContext
    {
        private static readonly object PulledThrough = new();

        public override HttpContext Http => http;
        public override string BasePath => basePath;
        public override long RepositoryVersion => publication.Version;

        public override Task<bool> ServeFileAsync(string relativePath, CancellationToken cancellationToken) =>
            handler.ServeFileAsync(http, publication, relativePath, immutable, cancellationToken);

        public override Task<Stream?> OpenPublishedFileAsync(string relativePath, CancellationToken cancellationToken) =>
            handler.OpenPublishedAsync(publication, relativePath, cancellationToken);

        public override async Task<bool> PullThroughAsync(string name, CancellationToken cancellationToken)
        {
            // Only the newest publication pulls through (not a pinned version or a checkpoint), and only once per request.
            if (distribution.PullThroughRemoteId is null || distribution.PinnedVersion is not null || immutable || !http.Items.TryAdd(PulledThrough, true))
            {
                return false;
            }

            try
            {
                await handler.PullThroughs.PullAsync(distribution, name, cancellationToken);
            }
            catch (PackyardException e)
            {
                LogPullThroughFailed(handler.Logger, name, distribution.BasePath, UrlSanitizer.Sanitize(e.Message));
                return false;
            }

            await handler.HandleCoreAsync(http, requestPath);
            return true;
        }

        public override Task<RemoteSettings?> PullThroughRemoteAsync(CancellationToken cancellationToken) =>
            distribution.PullThroughRemoteId is { } id ? handler.PullThroughs.GetRemoteAsync(id, cancellationToken) : Task.FromResult<RemoteSettings?>(null);

        public override TimeSpan? PullThroughTagTtl => distribution.PullThroughTagTtl;
    }
}
