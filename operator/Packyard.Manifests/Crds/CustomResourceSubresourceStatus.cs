namespace Packyard.Manifests.Crds;

/// <summary>The status subresource; it has no settings, its presence enables it.</summary>
public sealed class CustomResourceSubresourceStatus;
