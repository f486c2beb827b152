namespace Packyard.Content.Container;

/// <summary>The distribution spec's <c>tags/list</c> answer (and an upstream's).</summary>
internal sealed record OciTagList(string? Name, List<string>? Tags);
