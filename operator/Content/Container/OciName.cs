using System.Text.RegularExpressions;

namespace Packyard.Content.Container;

/// <summary>
/// Repository names and tags as the OCI distribution spec defines them. A name is slash-separated components of lower-case
/// letters and digits joined by '.', '_', '__' or dashes: no empty, '.' or '..' component can pass, so a name never escapes
/// its distribution (path traversal); a tag is up to 128 word characters, dots and dashes, not starting with either.
/// </summary>
internal static partial class OciName
{
    public const int MaxNameLength = 255;

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();

    public static bool IsValidName(string name) => name.Length <= MaxNameLength && NamePattern().IsMatch(name);

    public static bool IsValidTag(string tag) => TagPattern().IsMatch(tag);

    /// <summary>
    /// The repository to ask an upstream for: Docker Hub keeps its official images under <c>library/</c>, which
    /// <c>docker pull nginx</c> adds; a single-segment name on Docker Hub gets it too.
    /// </summary>
    public static string UpstreamRepository(Uri registry, string name) =>
        !name.Contains('/', StringComparison.Ordinal) && IsDockerHub(registry) ? "library/" + name : name;

    private static bool IsDockerHub(Uri registry) =>
        registry.Host is "registry-1.docker.io" or "docker.io" or "index.docker.io" or "registry.hub.docker.com";
}
