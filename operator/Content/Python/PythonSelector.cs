using Packyard.Plugins;

namespace Packyard.Content.Python;

/// <summary>Promotion selection by PEP 508 requirement: <c>myapp</c>, <c>myapp==1.4.2</c>, <c>libfoo&gt;=2,&lt;3</c>.</summary>
internal sealed class PythonSelector : IContentSelector
{
    public bool Matches(string selector, string name, string? version)
    {
        if (!Requirement.TryParse(selector, out var requirement, out _) || requirement.Name != ProjectName.Normalize(name))
        {
            return false;
        }

        if (requirement.Specifiers.Clauses.Count == 0)
        {
            return true;
        }

        return version is not null && PythonVersion.TryParse(version, out var parsed) && requirement.Specifiers.Contains(parsed, prereleases: true);
    }
}
