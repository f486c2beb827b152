namespace Packyard.Engine.Plugins;

/// <summary>
/// A content type: the five parts a type implements (Pulp's plugin boundary). Registered once per type with an
/// <c>Add&lt;Type&gt;Content()</c> extension; the engine owns downloading, digests, dedupe, saving and versions.
/// <paramref name="ReservedPaths"/> are the paths (or first segments) the type publishes or routes itself, which an
/// upload must not take (file: <c>PULP_MANIFEST</c>; deb: <c>dists</c>).
/// </summary>
public sealed record ContentTypePlugin(
    string Name,
    ISyncSource SyncSource,
    IUploadParser? UploadParser,
    IPublisher Publisher,
    IContentRoutes? Routes,
    IContentSelector? Selector = null,
    IReadOnlyList<string>? ReservedPaths = null);
