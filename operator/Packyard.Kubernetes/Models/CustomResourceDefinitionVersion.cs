using System.Text.Json.Nodes;

namespace Packyard.Kubernetes.Models;

/// <summary>
/// apiextensions.k8s.io/v1 CustomResourceDefinitionVersion. The schema, subresources and printer columns are kept as
/// JSON: Packyard compares and copies them but never interprets them here.
/// </summary>
public sealed class CustomResourceDefinitionVersion
{
    public string Name { get; set; } = "";
    public bool Served { get; set; }
    public bool Storage { get; set; }
    public bool? Deprecated { get; set; }
    public CustomResourceValidation? Schema { get; set; }
    public JsonObject? Subresources { get; set; }
    public List<JsonObject>? AdditionalPrinterColumns { get; set; }
}

