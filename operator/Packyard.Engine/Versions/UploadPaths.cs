using System.Text.RegularExpressions;
using Packyard.Api.Resources;

namespace Packyard.Engine.Versions;

/// <summary>
/// Where an uploaded file may be served. Besides what <see cref="UpstreamPaths.Problem"/> refuses (empty, absolute,
/// <c>.</c>/<c>..</c> or empty segments), a path must not be shadowed by something the content app answers itself:
/// the type's own published metadata and routes (<see cref="ContentTypePlugin.ReservedPaths"/>, e.g.
/// <c>PULP_MANIFEST</c>), a checkpoint time as first segment (<c>/&lt;basePath&gt;/20250101T000000Z/…</c> is time
/// travel once a Distribution turns checkpoints on), or the server's reserved first segments (<see cref="ReservedPaths.FirstSegments"/>).
/// </summary>
internal static partial class UploadPaths
{
    [GeneratedRegex(@"^\d{8}T\d{6}Z$")]
    private static partial Regex CheckpointPattern();

    /// <summary>Why <paramref name="path"/> cannot be uploaded to, or null when it can.</summary>
    public static string? Problem(string path, IReadOnlyList<string> reserved)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(reserved);
        if (UpstreamPaths.Problem(path) is { } problem)
        {
            return problem;
        }

        var segments = path.Split('/');
        if (segments.Any(string.IsNullOrWhiteSpace))
        {
            return "path has a blank segment";
        }

        var first = segments[0];
        if (CheckpointPattern().IsMatch(first))
        {
            return $"'{first}' has the shape of a checkpoint time (YYYYMMDDTHHMMSSZ) and would be served as one";
        }

        if (ReservedPaths.IsReserved(first))
        {
            return $"'{first}' is a path the server reserves";
        }

        foreach (var name in reserved)
        {
            if (path == name || first == name)
            {
                return $"'{name}' is the repository's own metadata";
            }
        }

        return null;
    }
}
