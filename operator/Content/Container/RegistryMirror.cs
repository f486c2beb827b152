using Microsoft.AspNetCore.Http;
using Packyard.Api.Resources;

namespace Packyard.Content.Container;

/// <summary>
/// containerd's mirror convention: <c>/v2/&lt;name&gt;/…?ns=&lt;registry host&gt;</c> asks a mirror for <c>&lt;name&gt;</c> of that registry. It is
/// answered by the pull-through distribution (Remote without <c>upstreamName</c>) whose Remote's URL is on that host, as
/// <c>&lt;basePath&gt;/&lt;name&gt;</c> (a name that already starts with that base path is taken as it is). Docker Hub answers to <c>docker.io</c>, <c>registry-1.docker.io</c>, <c>index.docker.io</c> and
/// <c>registry.hub.docker.com</c>; any other host is compared with the Remote's host and port (the default port may be left out).
/// No such distribution is 404 NAME_UNKNOWN; two of them are 409 UNSUPPORTED naming both (one host, one mirror).
/// </summary>
internal static class RegistryMirror
{
    private const string DockerHub = "docker.io";

    public static async Task<(string? Name, int Status, string? Problem)> MapAsync(RootRouteContext context, string registry, string name,
        CancellationToken cancellationToken)
    {
        var wanted = Normalize(registry);
        var matches = (await context.PullThroughTargetsAsync(ContainerContentType.Name, cancellationToken))
            .Where(t => string.IsNullOrWhiteSpace((t.Remote.TypeOptions as ContainerRemoteOptions)?.UpstreamName) && wanted == Host(t.Remote.BaseUrl))
            .OrderBy(t => t.BasePath, StringComparer.Ordinal)
            .ToList();
        return matches.Count switch
        {
            0 => (null, StatusCodes.Status404NotFound,
                $"no pull-through Distribution mirrors registry '{Shorten(registry)}' (?ns=): give a container Remote with url on that host and no upstreamName to a Distribution's spec.pullThrough"),
            // A name already under the base path came from a host URL that carries it (containerd's override_path).
            1 => (name.StartsWith(matches[0].BasePath + "/", StringComparison.Ordinal) ? name : $"{matches[0].BasePath}/{name}", 0, null),
            _ => (null, StatusCodes.Status409Conflict,
                $"registry '{Shorten(registry)}' (?ns=) is mirrored by more than one pull-through Distribution (base paths {string.Join(", ", matches.Select(m => m.BasePath))}); keep one per registry host"),
        };
    }

    /// <summary>A Remote's registry as <c>ns</c> names it: host, and port unless it is the scheme's default; Docker Hub is <c>docker.io</c>.</summary>
    public static string Host(Uri url) => Normalize(url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}");

    private static string Normalize(string host)
    {
        var lower = host.Trim().ToLowerInvariant();
        if (lower.EndsWith(":443", StringComparison.Ordinal))
        {
            lower = lower[..^4];
        }

        return lower is "registry-1.docker.io" or "index.docker.io" or "registry.hub.docker.com" ? DockerHub : lower;
    }

    private static string Shorten(string text) => text.Length > 100 ? text[..100] + "…" : text;
}
