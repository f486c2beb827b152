namespace Packyard.Plugins;

/// <summary>
/// A content type: the parts a type implements (Pulp's plugin boundary). Registered once per type with an
/// <c>Add&lt;Type&gt;Content()</c> extension, listed in the host's one registration file; the engine owns downloading,
/// digests, dedupe, saving and versions.
/// <paramref name="ReservedPaths"/> are the paths (or first segments) the type publishes or routes itself, which an
/// upload must not take (file: <c>PULP_MANIFEST</c>; deb: <c>dists</c>). <paramref name="RootRoutes"/> answers the
/// type's own API at the server's root (e.g. <c>/v2/…</c>) before base-path lookup. <paramref name="MediaTypes"/> maps file
/// extensions of the type's packages that ASP.NET Core does not know (<c>.deb</c>) to the media type they are served with.
/// <paramref name="Dependencies"/> says what a unit needs beside it, so a promotion carries it; <paramref name="Kinds"/> are the
/// unit kinds a Repository's status counts apart.
/// <paramref name="UploadPaths"/> are paths inside a distribution (without slashes around them) where a POST is an upload into
/// the distribution's Repository, authorized and answered as the upload API does (python: <c>legacy</c>, as PyPI and Pulp take twine).
/// <paramref name="ClientSetup"/> describes how a package manager is pointed at one of the type's distributions.
/// </summary>
public sealed record ContentTypePlugin(
    string Name,
    ISyncSource SyncSource,
    IUploadParser? UploadParser,
    IPublisher Publisher,
    IContentRoutes? Routes,
    IContentSelector? Selector = null,
    IReadOnlyList<string>? ReservedPaths = null,
    IRootRoutes? RootRoutes = null,
    IReadOnlyDictionary<string, string>? MediaTypes = null,
    IContentDependencies? Dependencies = null,
    IReadOnlyList<ContentKind>? Kinds = null,
    IReadOnlyList<string>? UploadPaths = null,
    IClientSetup? ClientSetup = null);
