namespace Packyard.Api.Resources;

/// <summary>
/// The first path segments of the content server that are not distribution content: the one list the server routes by,
/// <c>validate</c> checks base paths against and the Distribution CRD's CEL rule is generated from. Content types claim
/// segments of it for their own APIs (<c>IRootRoutes</c> in Packyard.Plugins); the registry refuses a claim outside it.
/// </summary>
public static class ReservedPaths
{
    /// <summary>
    /// <c>api</c>: the upload and resource APIs; <c>v2</c>: a content type's root API (the OCI distribution API, which
    /// clients always ask for at <c>/v2/</c>); <c>healthz</c>, <c>readyz</c>, <c>metrics</c>: probes and metrics.
    /// </summary>
    public static IReadOnlyList<string> FirstSegments { get; } = ["api", "v2", "healthz", "readyz", "metrics"];

    /// <summary>The Distribution CRD's CEL rule over <c>spec.basePath</c>.</summary>
    public static string BasePathRule { get; } =
        $"!(self.basePath.split('/')[0] in [{string.Join(", ", FirstSegments.Select(segment => $"'{segment}'"))}])";

    /// <summary>The message of <see cref="BasePathRule"/>, also reported by <c>validate</c>.</summary>
    public static string BasePathMessage { get; } =
        $"spec.basePath must not start with a reserved segment ({string.Join(", ", FirstSegments)})";

    /// <summary>True when <paramref name="firstSegment"/> is reserved, compared ignoring case as routing does.</summary>
    public static bool IsReserved(ReadOnlySpan<char> firstSegment)
    {
        foreach (var reserved in FirstSegments)
        {
            if (firstSegment.Equals(reserved, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first segment of a request path (<c>/a/b</c> → <c>a</c>).</summary>
    public static ReadOnlySpan<char> FirstSegmentOf(ReadOnlySpan<char> path)
    {
        var value = path.TrimStart('/');
        var slash = value.IndexOf('/');
        return slash < 0 ? value : value[..slash];
    }
}
