using Packyard.Api.Resources;

namespace Packyard.Plugins;

/// <summary>
/// The registered content types, by name, and the first path segments they claim for their own APIs
/// (<see cref="IRootRoutes"/>). A type may claim only a segment Packyard.Api reserves (<see cref="ReservedPaths"/>), so
/// validation and the Distribution CRD already keep base paths off it; two types may not claim the same one.
/// </summary>
public sealed class ContentTypeRegistry
{
    private readonly Dictionary<string, ContentTypePlugin> byName;
    private readonly Dictionary<string, ContentTypePlugin> byFirstSegment = new(StringComparer.OrdinalIgnoreCase);

    public ContentTypeRegistry(IEnumerable<ContentTypePlugin> plugins)
    {
        byName = plugins.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var plugin in byName.Values)
        {
            foreach (var segment in plugin.RootRoutes?.FirstSegments ?? [])
            {
                if (!ReservedPaths.IsReserved(segment))
                {
                    throw new InvalidOperationException(
                        $"content type '{plugin.Name}' claims the first path segment '{segment}', which Packyard.Api's ReservedPaths does not reserve (Distributions could take it)");
                }

                if (!byFirstSegment.TryAdd(segment, plugin))
                {
                    throw new InvalidOperationException(
                        $"content types '{byFirstSegment[segment].Name}' and '{plugin.Name}' both claim the first path segment '{segment}'");
                }
            }
        }
    }

    public IReadOnlyCollection<string> Names => byName.Keys;

    public ContentTypePlugin Get(string name) =>
        byName.TryGetValue(name, out var plugin)
            ? plugin
            : throw new NotSupportedException($"content type '{name}' is not supported by this Packyard build (supported: {string.Join(", ", byName.Keys)})");

    public bool TryGet(string name, out ContentTypePlugin plugin) => byName.TryGetValue(name, out plugin!);

    /// <summary>The type that claimed <paramref name="firstSegment"/> (compared ignoring case, as routing does), if any.</summary>
    public bool TryGetByFirstSegment(ReadOnlySpan<char> firstSegment, out IRootRoutes routes)
    {
        var lookup = byFirstSegment.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(firstSegment, out var plugin))
        {
            routes = plugin.RootRoutes!;
            return true;
        }

        routes = null!;
        return false;
    }
}
