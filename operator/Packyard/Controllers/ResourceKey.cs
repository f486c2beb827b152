namespace Packyard.Controllers;

/// <summary>Identifies a resource: kind, namespace, name.</summary>
public readonly record struct ResourceKey(string Kind, string Namespace, string Name)
{
    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}
