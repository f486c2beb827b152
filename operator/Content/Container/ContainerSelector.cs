namespace Packyard.Content.Container;

/// <summary>Promotion selection: a glob (<c>*</c>, <c>?</c>) on the unit's name, i.e. a tag name (<c>1.*</c>, <c>latest</c>) or a digest.</summary>
internal sealed class ContainerSelector : IContentSelector
{
    public bool Matches(string selector, string name, string? version) =>
        System.Text.RegularExpressions.Regex.IsMatch(name, TagFilter.GlobPattern(selector), System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
