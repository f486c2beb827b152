namespace Packyard.Engine.Downloads;

/// <summary>
/// Opens the files of a <c>file:</c> Remote. A file's real path (every symbolic link resolved, in folders too) must lie inside
/// the real path of the Remote's folder, which may itself be reached through links: a link that leads out is refused, and
/// nothing outside is opened.
/// </summary>
internal static class LocalUpstreamFile
{
    /// <summary>As many links as Linux follows when resolving one path (<c>MAXSYMLINKS</c>).</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// Opens <paramref name="url"/>, a file: URL already checked to lie under <paramref name="folder"/> as written; null when there
    /// is no such file. Throws <see cref="InvalidUpstreamMetadataException"/> when the file is reached through a link out of the folder.
    /// </summary>
    public static UpstreamResponse? Open(Uri folder, Uri url)
    {
        var root = RealPath(folder.LocalPath);
        var path = RealPath(url.LocalPath);
        if (!UpstreamPaths.IsUnder(root, path))
        {
            throw Outside(folder, url);
        }

        if (!File.Exists(path))
        {
            return null;
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        // A link swapped in between the check and the open would be followed by the open: check what was actually opened.
        if (OperatingSystem.IsLinux()
            && new FileInfo($"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}").LinkTarget is { } opened
            && !UpstreamPaths.IsUnder(root, opened))
        {
            stream.Dispose();
            throw Outside(folder, url);
        }

        return new UpstreamResponse(stream, stream.Length, null, null);
    }

    /// <summary>The absolute path with every symbolic link resolved, as realpath(3) does; missing trailing parts are kept as written.</summary>
    internal static string RealPath(string path)
    {
        var pending = new Stack<string>((Path.IsPathRooted(path) ? path : Path.GetFullPath(path)).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = "/";
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? "/";
                continue;
            }

            var next = Path.Join(resolved, part);
            if (new FileInfo(next).LinkTarget is not { } target)
            {
                resolved = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new InvalidUpstreamMetadataException($"{path}: more than {MaxLinks} symbolic links to follow");
            }

            if (Path.IsPathRooted(target))
            {
                resolved = "/";
            }

            foreach (var segment in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(segment);
            }
        }

        return resolved;
    }

    private static InvalidUpstreamMetadataException Outside(Uri folder, Uri url) =>
        new($"refusing to read {url.LocalPath}: a symbolic link leads outside the Remote's folder {folder.LocalPath}");
}
