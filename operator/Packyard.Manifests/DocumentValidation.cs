namespace Packyard.Manifests;

/// <summary>One document and everything wrong with it: the loader's errors and the cross-document checks'.</summary>
public sealed record DocumentValidation(ManifestDocument Document, IReadOnlyList<ManifestError> Errors)
{
    public bool IsValid => Document.Object is not null && Errors.Count == 0;
}
