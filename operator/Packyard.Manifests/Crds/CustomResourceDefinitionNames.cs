namespace Packyard.Manifests.Crds;

public sealed class CustomResourceDefinitionNames
{
    public string Kind { get; set; } = "";

    public string ListKind { get; set; } = "";

    public string Plural { get; set; } = "";

    public string Singular { get; set; } = "";

    public List<string>? ShortNames { get; set; }

    public List<string>? Categories { get; set; }
}
