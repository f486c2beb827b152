using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

[KubernetesResource("Distribution", "distributions", "pdist")]
[Description("A URL that package managers use: serves a repository's publication under a base path.")]
[PrinterColumn("Base Path", "string", ".spec.basePath")]
[PrinterColumn("Served", "integer", ".status.servedVersion")]
[PrinterColumn("URL", "string", ".status.url", Priority = 1)]
[PrinterColumn("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status")]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
public sealed class Distribution : PackyardResource<DistributionSpec, DistributionStatus>
{
    public override string Kind { get; set; } = "Distribution";
}

[ReservedBasePathRule]
public sealed class DistributionSpec
{
    [Required, Pattern(Patterns.BasePath), Description("URL path prefix, unique across the installation, e.g. debian/prod.")]
    public string BasePath { get; set; } = "";

    [Required]
    public LocalObjectReference RepositoryRef { get; set; } = new();

    [Range(0), Description("Serve exactly this version (it must be published); absent serves the newest publication.")]
    public long? Version { get; set; }

    [Description("Also serve /<basePath>/<YYYYMMDDTHHMMSSZ>/ with the publication current at that time.")]
    public bool Checkpoints { get; set; }

    public ContentGuard? ContentGuard { get; set; }

    public PullThrough? PullThrough { get; set; }
}

[ValidationRule("!(has(self.basicAuthSecretRef) && has(self.tokenSecretRef))", "set either basicAuthSecretRef or tokenSecretRef, not both")]
public sealed class ContentGuard
{
    [Description("Secret whose entries are username: password pairs allowed to read.")]
    public SecretReference? BasicAuthSecretRef { get; set; }

    [Description("Secret whose values are bearer tokens allowed to read.")]
    public SecretReference? TokenSecretRef { get; set; }
}

public sealed class PullThrough
{
    [Required]
    public LocalObjectReference RemoteRef { get; set; } = new();

    /// <summary>The message of the rule on <see cref="TagTTL"/> (the CRD's CEL rule and validate's check).</summary>
    public const string TagTtlMessage = "tagTTL must be a Go duration from 0s to 8760h";

    /// <summary>The longest <see cref="TagTTL"/>: a year.</summary>
    public static readonly TimeSpan MaxTagTtl = TimeSpan.FromHours(8760);

    [Pattern(Patterns.Duration), ValidationRule("duration(self) >= duration('0s') && duration(self) <= duration('8760h')", TagTtlMessage)]
    [Description("How long a mutable tag fetched through (a container tag) is served before it is checked upstream again (Go duration, e.g. 30s, 5m; default 5m). Digests are never checked again.")]
    public string? TagTTL { get; set; }
}

public sealed class DistributionStatus : ResourceStatus
{
    public string? Url { get; set; }
    public long? ServedVersion { get; set; }
}
