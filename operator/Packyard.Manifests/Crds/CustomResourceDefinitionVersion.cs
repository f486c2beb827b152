namespace Packyard.Manifests.Crds;

public sealed class CustomResourceDefinitionVersion
{
    public string Name { get; set; } = "";

    public bool Served { get; set; }

    public bool Storage { get; set; }

    public CustomResourceValidation Schema { get; set; } = new();

    public CustomResourceSubresources? Subresources { get; set; }

    public List<CustomResourceColumnDefinition>? AdditionalPrinterColumns { get; set; }
}
