namespace Packyard.Manifests.Crds;

public sealed class CustomResourceSubresources
{
    /// <summary>Present (as an empty object) to enable the status subresource.</summary>
    public CustomResourceSubresourceStatus? Status { get; set; }
}
