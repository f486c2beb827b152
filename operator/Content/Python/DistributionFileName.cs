namespace Packyard.Content.Python;

/// <summary>
/// What a distribution's file name says: project, version, package type and, for wheels, the platforms of its
/// platform tags (<c>windows</c>, <c>macos</c>, <c>linux</c>, <c>freebsd</c>, …; none for <c>any</c>).
/// </summary>
public sealed record DistributionFileName(string FileName, string Project, PythonVersion Version, string PackageType, IReadOnlySet<string> Platforms)
{
    public const string Wheel = "bdist_wheel";
    public const string Sdist = "sdist";

    private static readonly string[] SdistSuffixes = [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"];

    /// <summary>
    /// Parses a wheel (<c>name-version(-build)?-python-abi-platform.whl</c>, PEP 427) or sdist
    /// (<c>name-version.tar.gz</c>) file name. <paramref name="project"/>, when known, resolves sdist names whose
    /// project part contains '-'. Returns null with a reason for anything else (eggs, installers, malformed names).
    /// </summary>
    public static DistributionFileName? TryParse(string fileName, string? project, out string? error)
    {
        error = null;
        if (fileName.EndsWith(".whl", StringComparison.OrdinalIgnoreCase))
        {
            var parts = fileName[..^4].Split('-');
            if (parts.Length is not (5 or 6))
            {
                error = $"'{fileName}' is not a wheel name (name-version[-build]-python-abi-platform.whl)";
                return null;
            }

            if (!ProjectName.IsValid(parts[0]) || !PythonVersion.TryParse(parts[1], out var wheelVersion))
            {
                error = $"'{fileName}' has an invalid project name or version";
                return null;
            }

            var platforms = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tag in parts[^1].Split('.'))
            {
                if (PlatformOf(tag) is { } platform)
                {
                    platforms.Add(platform);
                }
            }

            return new DistributionFileName(fileName, ProjectName.Normalize(parts[0]), wheelVersion, Wheel, platforms);
        }

        var suffix = SdistSuffixes.FirstOrDefault(s => fileName.EndsWith(s, StringComparison.OrdinalIgnoreCase));
        if (suffix is null)
        {
            error = $"'{fileName}' is neither a wheel nor an sdist";
            return null;
        }

        var stem = fileName[..^suffix.Length];
        var normalizedProject = project is null ? null : ProjectName.Normalize(project);
        // The project part may itself contain '-': with a known project, take the split whose left side normalises to it;
        // otherwise the last '-' that leaves a valid version on the right.
        for (var dash = stem.IndexOf('-', StringComparison.Ordinal); dash > 0; dash = stem.IndexOf('-', dash + 1))
        {
            var name = stem[..dash];
            if (normalizedProject is not null && ProjectName.Normalize(name) != normalizedProject)
            {
                continue;
            }

            if (ProjectName.IsValid(name) && PythonVersion.TryParse(stem[(dash + 1)..], out var version))
            {
                return new DistributionFileName(fileName, ProjectName.Normalize(name), version, Sdist, new HashSet<string>());
            }
        }

        error = normalizedProject is null
            ? $"'{fileName}' is not an sdist name (name-version{suffix})"
            : $"'{fileName}' is not an sdist of project '{normalizedProject}' with a PEP 440 version";
        return null;
    }

    /// <summary>The platform family of a wheel platform tag, or null for <c>any</c>.</summary>
    public static string? PlatformOf(string tag)
    {
        var lower = tag.ToLowerInvariant();
        return lower switch
        {
            "any" => null,
            _ when lower.StartsWith("win", StringComparison.Ordinal) => "windows",
            _ when lower.StartsWith("macosx", StringComparison.Ordinal) => "macos",
            _ when lower.StartsWith("manylinux", StringComparison.Ordinal) || lower.StartsWith("musllinux", StringComparison.Ordinal)
                || lower.StartsWith("linux", StringComparison.Ordinal) => "linux",
            _ when lower.StartsWith("freebsd", StringComparison.Ordinal) => "freebsd",
            _ when lower.StartsWith("android", StringComparison.Ordinal) => "android",
            _ when lower.StartsWith("ios", StringComparison.Ordinal) => "ios",
            _ => lower.Split('_')[0],
        };
    }
}
