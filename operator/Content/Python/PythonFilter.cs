using Packyard.Api.Resources;

namespace Packyard.Content.Python;

/// <summary>
/// The Remote's <c>spec.python</c> selection: includes (projects and versions to mirror; none means all), excludes
/// (a bare name drops the project, a specifier drops matching versions), package types, excluded platforms and whether
/// pre-releases are wanted (a specifier naming a pre-release allows them, and so does a specifier, or a project without
/// includes, that only pre-releases satisfy: PEP 440).
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

    /// <summary>
    /// The files of <paramref name="project"/> that are mirrored, from all the files its page lists. Package types,
    /// platforms and excludes act per file. Versions follow PEP 440's pre-release rule, per included specifier (or
    /// for the whole project without includes): pre-releases are left out unless <c>prereleases</c> is set, a clause
    /// names a pre-release, or the only versions that satisfy the specifier are pre-releases (as pip does).
    /// </summary>
    public List<T> Select<T>(string project, IReadOnlyList<T> files, Func<T, DistributionFileName> name)
    {
        var admitted = files.Where(f => Admits(project, name(f))).ToList();
        if (includes is null)
        {
            var withPrereleases = prereleases || admitted.All(f => name(f).Version.IsPrerelease);
            return admitted.Where(f => withPrereleases || !name(f).Version.IsPrerelease).ToList();
        }

        if (!includes.TryGetValue(project, out var wanted))
        {
            return [];
        }

        // Per specifier: may it take pre-releases (asked for, or nothing final satisfies it)?
        var allowed = wanted.Select(set => (Set: set, Prereleases: prereleases || !admitted.Any(f => set.Contains(name(f).Version)))).ToList();
        return admitted.Where(f => allowed.Any(a => a.Set.Contains(name(f).Version, a.Prereleases))).ToList();
    }

    /// <summary>The per-file part of the selection: package type, platforms, excludes.</summary>
    private bool Admits(string project, DistributionFileName file)
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

        return !(excludes.TryGetValue(project, out var excluded) && excluded.Any(s => s.Contains(file.Version, prereleases: true)));
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
