using Packyard.Api.Resources;

namespace Packyard.Content.Python;

/// <summary>
/// The Remote's <c>spec.python</c> selection: includes (projects and versions to mirror; none means all), excludes
/// (a bare name drops the project, a specifier drops matching versions), package types, excluded platforms and whether
/// pre-releases are wanted (a specifier naming a pre-release allows them for its project).
/// </summary>
internal sealed class PythonFilter
{
    private readonly Dictionary<string, List<SpecifierSet>>? includes;
    private readonly Dictionary<string, List<SpecifierSet>> excludes;
    private readonly HashSet<string>? packageTypes;
    private readonly HashSet<string> excludedPlatforms;
    private readonly bool prereleases;

    private PythonFilter(Dictionary<string, List<SpecifierSet>>? includes, Dictionary<string, List<SpecifierSet>> excludes,
        HashSet<string>? packageTypes, HashSet<string> excludedPlatforms, bool prereleases)
    {
        this.includes = includes;
        this.excludes = excludes;
        this.packageTypes = packageTypes;
        this.excludedPlatforms = excludedPlatforms;
        this.prereleases = prereleases;
    }

    /// <summary>The included project names (normalised, in the order given), or null to mirror the whole index.</summary>
    public IReadOnlyList<string>? IncludedProjects => includes?.Keys.ToList();

    public static PythonFilter Create(PythonRemoteOptions? options)
    {
        options ??= new PythonRemoteOptions();
        var includes = options.Includes is { Count: > 0 } ? Parse(options.Includes, "includes") : null;
        var packageTypes = options.PackageTypes is { Count: > 0 }
            ? options.PackageTypes.Select(t => t == PythonPackageType.Sdist ? DistributionFileName.Sdist : DistributionFileName.Wheel).ToHashSet(StringComparer.Ordinal)
            : null;
        var platforms = (options.ExcludePlatforms ?? []).Select(p => p.Trim().ToLowerInvariant() switch
        {
            "win" or "win32" or "win64" => "windows",
            "mac" or "osx" or "darwin" or "macosx" => "macos",
            var other => other,
        }).ToHashSet(StringComparer.Ordinal);
        return new PythonFilter(includes, Parse(options.Excludes ?? [], "excludes"), packageTypes, platforms, options.Prereleases);
    }

    /// <summary>True when the whole project is excluded (a bare name in <c>excludes</c>).</summary>
    public bool ExcludesProject(string project) =>
        excludes.TryGetValue(project, out var sets) && sets.Any(s => s.Clauses.Count == 0);

    /// <summary>Whether a file of <paramref name="project"/> is mirrored.</summary>
    public bool Includes(string project, DistributionFileName file)
    {
        if (packageTypes is not null && !packageTypes.Contains(file.PackageType))
        {
            return false;
        }

        // A wheel is left out when every platform it is built for is excluded; pure wheels ("any") always stay.
        if (excludedPlatforms.Count > 0 && file.Platforms.Count > 0 && file.Platforms.All(excludedPlatforms.Contains))
        {
            return false;
        }

        if (excludes.TryGetValue(project, out var excluded) && excluded.Any(s => s.Contains(file.Version, prereleases: true)))
        {
            return false;
        }

        if (includes is null)
        {
            return prereleases || !file.Version.IsPrerelease;
        }

        return includes.TryGetValue(project, out var wanted) && wanted.Any(s => s.Contains(file.Version, prereleases));
    }

    private static Dictionary<string, List<SpecifierSet>> Parse(List<string> requirements, string field)
    {
        var result = new Dictionary<string, List<SpecifierSet>>(StringComparer.Ordinal);
        for (var i = 0; i < requirements.Count; i++)
        {
            if (!Requirement.TryParse(requirements[i], out var requirement, out var error))
            {
                throw new PythonOptionsException($"spec.python.{field}[{i}]: {error}");
            }

            if (!result.TryGetValue(requirement.Name, out var sets))
            {
                result[requirement.Name] = sets = [];
            }

            sets.Add(requirement.Specifiers);
        }

        return result;
    }
}
