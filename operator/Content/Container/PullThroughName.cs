namespace Packyard.Content.Container;

/// <summary>
/// What a pull-through distribution with many upstream repositories asks its sync for: <c>&lt;repository&gt;:&lt;tag&gt;</c> or
/// <c>&lt;repository&gt;@sha256:…</c>, the repository as the upstream names it (Docker Hub's <c>library/</c> added). The tag unit of a
/// pull-through repository is named <c>&lt;repository&gt;:&lt;tag&gt;</c>, so the tags of every upstream repository live side by side.
/// </summary>
internal readonly record struct PullThroughName(string Repository, string? Tag, string? Digest)
{
    public static string ForTag(string repository, string tag) => $"{repository}:{tag}";

    public static string ForDigest(string repository, string digest) => $"{repository}@{digest}";

    /// <summary>Parses a name made by <see cref="ForTag"/> or <see cref="ForDigest"/>; null when it is not a valid one.</summary>
    public static PullThroughName? Parse(string name)
    {
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            var repository = name[..at];
            var digest = name[(at + 1)..];
            return OciName.IsValidName(repository) && OciDigest.IsValid(digest) ? new PullThroughName(repository, null, digest) : null;
        }

        var colon = name.LastIndexOf(':');
        if (colon > 0)
        {
            var repository = name[..colon];
            var tag = name[(colon + 1)..];
            return OciName.IsValidName(repository) && OciName.IsValidTag(tag) ? new PullThroughName(repository, tag, null) : null;
        }

        return null;
    }
}
