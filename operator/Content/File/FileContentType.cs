namespace Packyard.Content.File;

/// <summary>
/// The <c>file</c> content type (Pulp's file plugin): plain files listed in a PULP_MANIFEST of CSV lines
/// <c>relative_path,sha256,size</c>. A unit is identified by path and digest; units with the same path replace each other.
/// </summary>
internal static class FileContentType
{
    public const string Name = "file";

    public const string ManifestMediaType = "text/csv; charset=utf-8";

    public static string NaturalKey(string relativePath, string sha256) => $"{relativePath}\n{sha256}";

    public static string FileName(string relativePath) => relativePath[(relativePath.LastIndexOf('/') + 1)..];
}

