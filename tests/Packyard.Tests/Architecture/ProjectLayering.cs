using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace Packyard.Tests.Architecture;

/// <summary>
/// The layers of operator/ and what each may reference (DESIGN.md §4, issue 13):
/// <code>
///   Packyard.Api                      references nothing of ours (the kinds, their schema, ReservedPaths)
///   Packyard.ControllerRuntime        references nothing of ours (a Kubernetes controller runtime)
///   Packyard.Plugins  → Api           the content-type contracts and the helpers types share
///   Packyard.Content.* → Plugins, Api each content type; never the engine, the server or the host
///   Packyard.Manifests → Api          YAML manifests, validate, CRD generation
///   Packyard.Engine   → Plugins, Api  implements the contracts' contexts; never the server, host or a content type
///   Packyard.Server   → Engine, Plugins, Api   the content app; never a content type or the host
///   Packyard (host)   → everything    the only project that references content types (Hosting/ContentTypes.cs registers them)
/// </code>
/// Plugins sits below the engine, not above it: content types must not see engine internals (storage, database,
/// downloads), so the contracts they compile against cannot live in the engine's assembly.
/// </summary>
internal static class ProjectLayering
{
    private const string ContentTypePrefix = "Packyard.Content.";

    /// <summary>Whom each project may reference (null: anyone); a content type project is any named <c>Packyard.Content.*</c>.</summary>
    public static IReadOnlySet<string>? Allowed(string project) => project switch
    {
        "Packyard.Api" => Set(),
        "Packyard.ControllerRuntime" => Set(),
        "Packyard.Plugins" => Set("Packyard.Api"),
        "Packyard.Manifests" => Set("Packyard.Api"),
        "Packyard.Engine" => Set("Packyard.Api", "Packyard.Plugins"),
        "Packyard.Server" => Set("Packyard.Api", "Packyard.Plugins", "Packyard.Engine"),
        "Packyard" => null, // the host: may reference every layer (and is the only one that references content types)
        _ when project.StartsWith(ContentTypePrefix, StringComparison.Ordinal) => Set("Packyard.Api", "Packyard.Plugins"),
        _ => Set(), // a new project: references nothing of ours until it is given a row here
    };

    /// <summary>Every reference in <paramref name="graph"/> its layer does not allow, as "A → B (allowed: …)".</summary>
    public static List<string> Violations(IReadOnlyDictionary<string, IReadOnlyCollection<string>> graph)
    {
        var violations = new List<string>();
        foreach (var (project, references) in graph.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var allowed = Allowed(project);
            foreach (var reference in references.Where(r => r.StartsWith("Packyard", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                if (allowed is not null && !allowed.Contains(reference))
                {
                    violations.Add($"{project} → {reference} (allowed: {(allowed.Count == 0 ? "nothing of ours" : string.Join(", ", allowed.Order(StringComparer.Ordinal)))})");
                }
            }
        }

        return violations;
    }

    /// <summary>The ProjectReferences of every csproj under <paramref name="operatorFolder"/>, wildcards expanded.</summary>
    public static Dictionary<string, IReadOnlyCollection<string>> FromProjectFiles(string operatorFolder)
    {
        var graph = new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal);
        foreach (var csproj in Directory.EnumerateFiles(operatorFolder, "*.csproj", SearchOption.AllDirectories))
        {
            var folder = Path.GetDirectoryName(csproj)!;
            var references = XDocument.Load(csproj).Descendants("ProjectReference")
                .Select(element => element.Attribute("Include")!.Value.Replace('\\', '/'))
                .SelectMany(include => Expand(folder, include))
                .Select(Path.GetFileNameWithoutExtension)
                .Select(name => name!)
                .ToList();
            graph.Add(Path.GetFileNameWithoutExtension(csproj), references);
        }

        return graph;
    }

    /// <summary>The assembly references of every Packyard assembly in <paramref name="binFolder"/> (the host's is <c>packyard.dll</c>).</summary>
    public static Dictionary<string, IReadOnlyCollection<string>> FromAssemblies(string binFolder)
    {
        var graph = new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(binFolder, "*.dll").Where(p => Path.GetFileName(p).StartsWith("Packyard", StringComparison.OrdinalIgnoreCase)))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name == "Packyard.Tests")
            {
                continue;
            }

            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            var metadata = pe.GetMetadataReader();
            graph[HostName(name)] = metadata.AssemblyReferences
                .Select(handle => HostName(metadata.GetString(metadata.GetAssemblyReference(handle).Name)))
                .ToList();
        }

        return graph;
    }

    private static string HostName(string assembly) => assembly == "packyard" ? "Packyard" : assembly;

    private static IEnumerable<string> Expand(string folder, string include)
    {
        if (!include.Contains('*', StringComparison.Ordinal))
        {
            return [include];
        }

        // Wildcards as MSBuild expands them in the shape used (../Content/*/*.csproj): every match below the fixed prefix.
        var full = Path.GetFullPath(Path.Combine(folder, include));
        var root = Path.GetDirectoryName(full[..full.IndexOf('*', StringComparison.Ordinal)] + "x")!;
        return Directory.EnumerateFiles(root, Path.GetFileName(full), SearchOption.AllDirectories);
    }

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);
}
