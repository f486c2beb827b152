using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Packyard.Content.Container;

/// <summary>
/// The OCI distribution API at <c>/v2/</c>: <c>GET /v2/</c> answers 200 (the API version check every client makes first);
/// <c>/v2/&lt;name&gt;/{manifests,blobs,referrers}/&lt;reference&gt;</c> and <c>/v2/&lt;name&gt;/tags/list</c> are served by the
/// distribution whose base path is <c>name</c> (names may hold slashes), guard and publication included, through
/// <see cref="ContainerRoutes"/>. Names are checked against the spec's grammar first, so <c>..</c> or an encoded dot never reaches
/// a lookup. Pushes, deletes and upload sessions go to <see cref="OciPushRoutes"/>.
/// <para>
/// <c>GET /v2/</c> without any <c>Authorization</c> header answers 401 with a <c>Basic</c> challenge, with one 200: skopeo, podman
/// (containers/image) and docker decide from this first answer whether to send credentials at all, and send none later to a
/// registry whose <c>/v2/</c> said 200. Without credentials they then send <c>Basic</c> with an empty user and password, which an
/// unguarded distribution ignores: anonymous pulls keep working, and <c>--creds</c>/<c>docker login</c> reach the push API.
/// </para>
/// </summary>
internal sealed partial class OciRootRoutes : IRootRoutes
{
    /// <summary>The <see cref="HttpContext.Items"/> key holding the OCI name of a request that came through <c>/v2/</c>.</summary>
    public static readonly object NameKey = new();

    public const string ApiVersionHeader = "Docker-Distribution-API-Version";

    /// <summary>The challenge of <c>/v2/</c> and of a push without credentials.</summary>
    public const string BasicChallenge = "Basic realm=\"packyard\", charset=\"UTF-8\"";

    [GeneratedRegex("^v2/(?<name>.+)/(?<kind>manifests|blobs|referrers)/(?<reference>[^/]+)$")]
    private static partial Regex ReferencePath();

    [GeneratedRegex("^v2/(?<name>.+)/tags/list$")]
    private static partial Regex TagsPath();

    public IReadOnlyList<string> FirstSegments { get; } = ["v2"];

    public async Task<bool> TryServeAsync(RootRouteContext context, CancellationToken cancellationToken)
    {
        var http = context.Http;
        http.Response.Headers[ApiVersionHeader] = "registry/2.0";
        var path = context.Path;
        var reading = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
        if (path is "v2" or "v2/")
        {
            if (!reading)
            {
                await OciErrors.WriteAsync(http, StatusCodes.Status405MethodNotAllowed, OciErrors.Unsupported, "only GET and HEAD are served at /v2/");
                return true;
            }

            if (http.Request.Headers.Authorization.Count == 0)
            {
                http.Response.Headers.WWWAuthenticate = BasicChallenge;
                await OciErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, OciErrors.Unauthorized,
                    "send credentials (any, or an empty user and password, for anonymous pulls) to use this registry");
                return true;
            }

            http.Response.ContentType = "application/json";
            http.Response.ContentLength = 2;
            if (HttpMethods.IsGet(http.Request.Method))
            {
                await http.Response.WriteAsync("{}", cancellationToken);
            }

            return true;
        }

        if (OciPushRoutes.Match(path, http.Request.Method) is { } push)
        {
            if (!OciName.IsValidName(push.Name))
            {
                await WriteInvalidNameAsync(http);
                return true;
            }

            await OciPushRoutes.ServeAsync(context, push.Name, push.UploadId, push.Kind, push.Reference, cancellationToken);
            return true;
        }

        if (!reading)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status405MethodNotAllowed, OciErrors.Unsupported, $"{http.Request.Method} is not supported on /{path}");
            return true;
        }

        string name, rest;
        if (ReferencePath().Match(path) is { Success: true } reference)
        {
            name = reference.Groups["name"].Value;
            rest = $"{reference.Groups["kind"].Value}/{reference.Groups["reference"].Value}";
        }
        else if (TagsPath().Match(path) is { Success: true } tags)
        {
            name = tags.Groups["name"].Value;
            rest = "tags/list";
        }
        else
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.NameUnknown, $"/{path} is not an OCI distribution API path");
            return true;
        }

        if (!OciName.IsValidName(name))
        {
            await WriteInvalidNameAsync(http);
            return true;
        }

        if (http.Request.Query.TryGetValue("ns", out var ns) && ns.ToString() is { Length: > 0 } registry)
        {
            var (mirrored, status, problem) = await RegistryMirror.MapAsync(context, registry, name, cancellationToken);
            if (mirrored is null)
            {
                await OciErrors.WriteAsync(http, status, status == StatusCodes.Status404NotFound ? OciErrors.NameUnknown : OciErrors.Unsupported, problem!);
                return true;
            }

            name = mirrored;
        }

        http.Items[NameKey] = name;
        await context.ServeDistributionPathAsync($"{name}/{rest}", OciErrors.RespondAsync, cancellationToken);
        return true;
    }

    private static Task WriteInvalidNameAsync(HttpContext http) =>
        OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.NameInvalid,
            "invalid repository name: lower-case letters and digits separated by '.', '_', '__', '-' and '/' (no empty, '.' or '..' components)");
}
