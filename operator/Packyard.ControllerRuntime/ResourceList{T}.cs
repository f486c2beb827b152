namespace Packyard.ControllerRuntime;

/// <summary>One page of a list: the items and the list's metadata.</summary>
public sealed class ResourceList<T>
    where T : class
{
    public List<T> Items { get; init; } = [];

    /// <summary>The resourceVersion to watch from after this list.</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>The token of the next page; empty on the last.</summary>
    public string? Continue { get; init; }
}
