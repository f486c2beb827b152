namespace Packyard.Engine.History;

/// <summary>No live repository of that namespace and name; <see cref="Known"/> lists the namespace's repositories for a "did you mean".</summary>
public sealed class UnknownRepositoryException(string @namespace, string name, IReadOnlyList<string> known)
    : Exception($"repository {@namespace}/{name} not found")
{
    public string Namespace { get; } = @namespace;

    public string Name { get; } = name;

    public IReadOnlyList<string> Known { get; } = known;
}
