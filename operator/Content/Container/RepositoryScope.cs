namespace Packyard.Content.Container;

/// <summary>
/// Which image of a distribution a request is for, and what it may pull through: the distribution's own (its base path is the
/// image; tags are named as they are; a pull-through Remote with <c>upstreamName</c> fetches missing tags), or one upstream repository
/// of a pull-through distribution for a whole registry (tags named <c>&lt;repository&gt;:&lt;tag&gt;</c>, see <see cref="PullThroughName"/>).
/// </summary>
internal sealed record RepositoryScope(string? UpstreamRepository, bool CanPull)
{
    public static readonly RepositoryScope Distribution = new(null, false);

    public static readonly RepositoryScope PulledDistribution = new(null, true);

    public static RepositoryScope Upstream(string repository) => new(repository, true);

    /// <summary>The name of the tag unit for <paramref name="tag"/>.</summary>
    public string TagKey(string tag) => UpstreamRepository is null ? tag : PullThroughName.ForTag(UpstreamRepository, tag);

    /// <summary>What to pull through for a tag: the tag itself for a one-repository Remote.</summary>
    public string TagName(string tag) => TagKey(tag);

    /// <summary>What to pull through for a digest; null for a one-repository Remote, whose syncs select by tag.</summary>
    public string? DigestName(string digest) => UpstreamRepository is null || !CanPull ? null : PullThroughName.ForDigest(UpstreamRepository, digest);

    /// <summary>The tag a tag unit's name stands for in this scope, or null when it belongs to another repository.</summary>
    public string? TagOf(string unitName) =>
        UpstreamRepository is null ? (unitName.Contains(':', StringComparison.Ordinal) ? null : unitName)
        : unitName.StartsWith(UpstreamRepository + ":", StringComparison.Ordinal) ? unitName[(UpstreamRepository.Length + 1)..] : null;
}
