using System.Text.Json;
using System.Text.Json.Serialization;
using Packyard.Api.Resources;

namespace Packyard.Content.Python;

/// <summary>
/// The <c>python</c> content type: one unit per distribution file (wheel or sdist), identified by file name and
/// sha256; units with the same file name replace each other. Files are served at <c>packages/&lt;filename&gt;</c>.
/// </summary>
internal static class PythonContentType
{
    public const string Name = "python";

    /// <summary>What pip sends: PEP 691 JSON preferred, HTML accepted.</summary>
    public const string PipAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";

    public const string JsonMediaType = "application/vnd.pypi.simple.v1+json";
    public const string HtmlMediaType = "application/vnd.pypi.simple.v1+html";

    /// <summary>Largest project page read from an upstream.</summary>
    public const long MaxProjectPageBytes = 64L << 20;

    /// <summary>Most files one project page may list.</summary>
    public const int MaxFilesPerProject = 50_000;

    public static string NaturalKey(string fileName, string sha256) => $"{fileName}\n{sha256}";

    public static string PackagePath(string fileName) => $"packages/{fileName}";

    /// <summary>
    /// Null when <paramref name="fileName"/> is a plain file name (no path separators, no '..', no control characters,
    /// not hidden), otherwise the reason it is refused.
    /// </summary>
    public static string? FileNameProblem(string fileName)
    {
        if (fileName.Length is 0 or > 255)
        {
            return "a file name must have 1 to 255 characters";
        }

        if (fileName.Contains('/') || fileName.Contains('\\') || fileName.Contains("..", StringComparison.Ordinal))
        {
            return "a file name must not contain '/', '\\' or '..' (path traversal)";
        }

        if (fileName[0] == '.' || fileName.Any(char.IsControl) || fileName.Contains(':'))
        {
            return "a file name must not start with '.' or contain ':' or control characters";
        }

        return null;
    }
}

/// <summary>
/// The unit metadata the publisher reads back (JSON in content_units.metadata). <see cref="CoreMetadata"/> is the
/// METADATA of an uploaded wheel (the publisher serves it as <c>&lt;file&gt;.metadata</c>, PEP 658, with
/// <see cref="CoreMetadataSha256"/> the sha256 of its UTF-8 bytes); synced files get theirs as an artifact instead.
/// </summary>
internal sealed record PythonFileMetadata(
    string Filename,
    string Project,
    string Version,
    string Packagetype,
    string? RequiresPython,
    bool Yanked,
    string? YankedReason,
    string? CoreMetadataSha256,
    long? Size,
    string? Summary,
    string? CoreMetadata = null);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PythonFileMetadata))]
internal sealed partial class PythonJsonContext : JsonSerializerContext;
