namespace Packyard.Engine.Plugins;

/// <summary>
/// A content type: the five parts a type implements (Pulp's plugin boundary). Registered once per type with an
/// <c>Add&lt;Type&gt;Content()</c> extension; the engine owns downloading, digests, dedupe, saving and versions.
/// </summary>
public sealed record ContentTypePlugin(
    string Name,
    ISyncSource SyncSource,
    IUploadParser? UploadParser,
    IPublisher Publisher,
    IContentRoutes? Routes,
    IContentSelector? Selector = null);
