using System.Text.RegularExpressions;

namespace Packyard.Content.Container;

/// <summary>
/// Promotion selection: a glob (<c>*</c>, <c>?</c>) on tag names (<c>1.*</c>, <c>latest</c>), or a digest (<c>sha256:…</c>) naming a
/// manifest or blob. A tag name never holds ':' and a digest always does, so a tag glob never selects a manifest or blob by
/// accident (<c>*</c> is every tag, not every unit); what the selection references is carried by <see cref="ContainerDependencies"/>.
/// </summary>
internal sealed class ContainerSelector : IContentSelector
{
    public bool Matches(string selector, string name, string? version) =>
        selector.Contains(':', StringComparison.Ordinal) == name.Contains(':', StringComparison.Ordinal)
        && Regex.IsMatch(name, TagFilter.GlobPattern(selector), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
