using System.Collections.Frozen;

namespace Packyard.Manifests;

/// <summary>
/// One YAML document of a manifest folder that is a Packyard resource or a v1 Secret.
/// <see cref="Object"/> is the typed resource (Remote, Repository, Distribution, Promotion or Secret),
/// or null when the document is invalid; <see cref="Errors"/> holds what the loader found wrong with it.
/// </summary>
public sealed record ManifestDocument(
    string File,
    int Line,
    string ApiVersion,
    string Kind,
    string Namespace,
    string Name,
    object? Object,
    IReadOnlyList<ManifestError> Errors)
{
    /// <summary>Where each field path (<c>spec.remoteRef.name</c>, <c>spec.python.includes[0]</c>) starts.</summary>
    internal IReadOnlyDictionary<string, SourceLocation> Locations { get; init; } = FrozenDictionary<string, SourceLocation>.Empty;

    /// <summary>
    /// The resource read from the fields that were valid, when the document has <see cref="Errors"/>: what
    /// <see cref="ManifestValidator"/> checks too, so that one pass reports every error. Never run; null for a valid document.
    /// </summary>
    internal object? Partial { get; init; }

    /// <summary>The resource to check: <see cref="Object"/>, or <see cref="Partial"/> when the document has errors.</summary>
    internal object? Checkable => Object ?? Partial;

    /// <summary>Column of the document's first node.</summary>
    public int Column { get; init; } = 1;

    /// <summary>True when the loader found nothing wrong (cross-document checks are <see cref="ManifestValidator"/>'s).</summary>
    public bool IsValid => Object is not null && Errors.Count == 0;

    /// <summary><c>Kind namespace/name</c>, how messages name the resource.</summary>
    public string DisplayName => $"{Kind} {Namespace}/{Name}";

    /// <summary>The location of a field path, or of its nearest parent present in the file, or of the document.</summary>
    public SourceLocation LocationOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var current = path; current.Length > 0; current = Parent(current))
        {
            if (Locations.TryGetValue(current, out var location))
            {
                return location;
            }
        }

        return new SourceLocation(Line, Column);
    }

    /// <summary>An error located at a field path of this document.</summary>
    public ManifestError ErrorAt(string path, string message)
    {
        var location = LocationOf(path);
        return new ManifestError(File, location.Line, location.Column, message);
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}
