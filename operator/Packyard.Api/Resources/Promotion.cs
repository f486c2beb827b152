using System.Text.Json.Serialization;
using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

[KubernetesResource("Promotion", "promotions", "pprom")]
[Description("Moves selected content from one repository version into another repository, declaratively.")]
[PrinterColumn("Source", "string", ".spec.sourceRef.name")]
[PrinterColumn("Target", "string", ".spec.targetRef.name")]
[PrinterColumn("Target Version", "integer", ".status.targetVersion")]
[PrinterColumn("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status")]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
public sealed class Promotion : PackyardResource<PromotionSpec, PromotionStatus>
{
    public override string Kind { get; set; } = "Promotion";
}

[ValidationRule("self.sourceRef.name != self.targetRef.name", "spec.sourceRef and spec.targetRef must name different repositories")]
public sealed class PromotionSpec
{
    [Required]
    public LocalObjectReference SourceRef { get; set; } = new();

    [Range(1), Description("Promote exactly this source version; absent means the latest.")]
    public long? SourceVersion { get; set; }

    [Required]
    public LocalObjectReference TargetRef { get; set; } = new();

    public PromotionSelect? Select { get; set; }

    [Default("Merge"), Description("Merge adds or replaces the selection in the target; Replace makes the target equal to the selection.")]
    public PromotionMode Mode { get; set; } = PromotionMode.Merge;

    public bool Suspend { get; set; }
}

public sealed class PromotionSelect
{
    [Description("Package names (for files: file names or relative paths); type-specific version constraints may follow the name, e.g. myapp==1.4.2.")]
    public List<string>? Names { get; set; }

    [Description("Glob patterns on relative paths, e.g. tools/*.tar.gz.")]
    public List<string>? Paths { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<PromotionMode>))]
public enum PromotionMode
{
    Merge,
    Replace,
}

public sealed class PromotionStatus : ResourceStatus
{
    public long? SourceVersion { get; set; }
    public long? TargetVersion { get; set; }
    public long? Added { get; set; }
    public long? Removed { get; set; }
}
