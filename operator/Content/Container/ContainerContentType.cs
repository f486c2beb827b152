namespace Packyard.Content.Container;

/// <summary>
/// The <c>container</c> content type: OCI images and artifacts as three kinds of unit.
/// <list type="bullet">
/// <item>a <b>blob</b> (config or layer): its artifact is the blob, stored by its sha256, which is its OCI digest;
/// served at <c>blobs/sha256:…</c>; natural and repo key <c>blob:sha256:…</c>.</item>
/// <item>a <b>manifest</b> (image manifest, index, Docker schema 2 manifest or list, any OCI artifact): its artifact is the
/// exact manifest bytes; natural and repo key <c>manifest:sha256:…</c>; its metadata (<see cref="OciManifestMetadata"/>) holds the
/// media type, artifactType, subject and the digests it references.</item>
/// <item>a <b>tag</b>: no artifact; natural key <c>tag:&lt;name&gt;@sha256:…</c>, repo key <c>tag:&lt;name&gt;</c>, so a tag that
/// moves replaces the old one in the next version.</item>
/// </list>
/// </summary>
internal static class ContainerContentType
{
    public const string Name = "container";

    /// <summary>The published list of the version's tags with their manifests (<see cref="TagIndex"/>), read by the routes.</summary>
    public const string TagsFile = "tags.json";

    /// <summary>What a Repository's status counts apart: <c>status.contentCounts.tags</c>, <c>.manifests</c>, <c>.blobs</c>.</summary>
    public static IReadOnlyList<ContentKind> Kinds { get; } = [new("tags", "tag:"), new("manifests", "manifest:"), new("blobs", "blob:")];

    public static string BlobPath(string digest) => $"blobs/{digest}";

    public static string ManifestPath(string digest) => $"manifests/{digest}";

    public static string ReferrersPath(string digest) => $"referrers/{digest}";

    public static string BlobKey(string digest) => $"blob:{digest}";

    public static string ManifestKey(string digest) => $"manifest:{digest}";

    public static string TagRepoKey(string tag) => $"tag:{tag}";

    public static string TagNaturalKey(string tag, string digest) => $"tag:{tag}@{digest}";
}
