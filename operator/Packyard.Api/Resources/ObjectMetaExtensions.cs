using k8s.Models;

namespace Packyard.Api.Resources;

/// <summary>Reading V1ObjectMeta (whose maps are IDictionary, which has no GetValueOrDefault).</summary>
public static class ObjectMetaExtensions
{
    /// <summary>The annotation's value, or null when the object has no such annotation.</summary>
    public static string? Annotation(this V1ObjectMeta metadata, string name)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.Annotations is { } annotations && annotations.TryGetValue(name, out var value) ? value : null;
    }
}
