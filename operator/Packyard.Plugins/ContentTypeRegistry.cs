namespace Packyard.Engine.Plugins;

/// <summary>The registered content types, by name.</summary>
public sealed class ContentTypeRegistry(IEnumerable<ContentTypePlugin> plugins)
{
    private readonly Dictionary<string, ContentTypePlugin> byName = plugins.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => byName.Keys;

    public ContentTypePlugin Get(string name) =>
        byName.TryGetValue(name, out var plugin)
            ? plugin
            : throw new NotSupportedException($"content type '{name}' is not supported by this Packyard build (supported: {string.Join(", ", byName.Keys)})");

    public bool TryGet(string name, out ContentTypePlugin plugin) => byName.TryGetValue(name, out plugin!);
}
