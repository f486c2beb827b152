namespace Packyard.Manifests.Crds;

public sealed class CustomResourceDefinitionSpec
{
    public string Group { get; set; } = "";

    public CustomResourceDefinitionNames Names { get; set; } = new();

    public string Scope { get; set; } = "Namespaced";

    public List<CustomResourceDefinitionVersion> Versions { get; set; } = [];
}
