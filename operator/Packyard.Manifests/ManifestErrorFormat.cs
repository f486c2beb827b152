namespace Packyard.Manifests;

/// <summary>How <c>packyard validate</c> prints errors: compiler style, or GitHub Actions annotations.</summary>
public static class ManifestErrorFormat
{
    /// <summary><c>path:line:column: message</c>.</summary>
    public static string Text(ManifestError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.ToString();
    }

    /// <summary><c>::error file=PATH,line=N,col=M::message</c>, escaped as the Actions runner expects.</summary>
    public static string GitHub(ManifestError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"::error file={EscapeProperty(error.File)},line={error.Line},col={error.Column}::{EscapeData(error.Message)}";
    }

    /// <summary><paramref name="path"/> relative to <paramref name="baseDirectory"/> when it lies under it, else unchanged.</summary>
    public static string DisplayPath(string path, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Path.IsPathRooted(path))
        {
            return path;
        }

        var relative = Path.GetRelativePath(baseDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    private static string EscapeProperty(string value) =>
        EscapeData(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);
}
