namespace Packyard.Content.Container;

/// <summary>The published <see cref="ContainerContentType.TagsFile"/>: a version's tags in ordinal order with their manifests.</summary>
internal sealed record TagIndex(List<TagMetadata> Tags);
