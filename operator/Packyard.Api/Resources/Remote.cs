using System.Text.Json.Serialization;
using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

[KubernetesResource("Remote", "remotes", "prem")]
[Description("Where content comes from: an upstream repository and how to download from it.")]
[PrinterColumn("Type", "string", ".spec.type")]
[PrinterColumn("URL", "string", ".spec.url")]
[PrinterColumn("Policy", "string", ".spec.policy")]
[PrinterColumn("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status")]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
public sealed class Remote : PackyardResource<RemoteSpec, RemoteStatus>
{
    public override string Kind { get; set; } = "Remote";
}

[ValidationRule("self.type == 'file' || !has(self.file)", "spec.file is only allowed when spec.type is file")]
[ValidationRule("self.type == 'python' || !has(self.python)", "spec.python is only allowed when spec.type is python")]
[ValidationRule("self.type == 'deb' || !has(self.deb)", "spec.deb is only allowed when spec.type is deb")]
[ValidationRule("self.type == 'rpm' || !has(self.rpm)", "spec.rpm is only allowed when spec.type is rpm")]
[ValidationRule("self.type == 'container' || !has(self.container)", "spec.container is only allowed when spec.type is container")]
public sealed class RemoteSpec
{
    [Required, Immutable, Description("Content type of the upstream (immutable).")]
    public ContentType Type { get; set; }

    [Required, Pattern(Patterns.RemoteUrl), Description("Upstream base URL: http(s)://, file:///absolute or, in standalone mode, file:relative (to the manifest's folder).")]
    public string Url { get; set; } = "";

    [Default("Immediate"), Description("Immediate downloads all artifacts at sync; OnDemand stores metadata and fetches artifacts on first request; Streamed fetches on request and never stores.")]
    public DownloadPolicy Policy { get; set; } = DownloadPolicy.Immediate;

    [Description("Secret with username+password, or token, for the upstream.")]
    public SecretReference? AuthSecretRef { get; set; }

    public RemoteTls? Tls { get; set; }

    public RemoteProxy? Proxy { get; set; }

    [Default(8), Range(1, 64), Description("Concurrent downloads from this upstream.")]
    public int DownloadConcurrency { get; set; } = 8;

    // The CEL rule repeats the bounds because the API server compares an integer value (rateLimit: 0) with the minimum truncated to
    // an integer (0), which lets 0 through.
    [Range(0.001, 1_000_000), ValidationRule("self >= 0.001 && self <= 1000000.0", RemoteLimits.RateLimitMessage)]
    [Description("Requests per second to this upstream (0.001 to 1000000); absent means unlimited.")]
    public double? RateLimit { get; set; }

    [Default("5m"), Pattern(Patterns.Duration), ValidationRule("duration(self) >= duration('1s') && duration(self) <= duration('24h')", RemoteLimits.TimeoutMessage)]
    [Description("Timeout of one request (Go duration from 1s to 24h, e.g. 30s, 5m, 1h30m).")]
    public string Timeout { get; set; } = "5m";

    public FileRemoteOptions? File { get; set; }
    public PythonRemoteOptions? Python { get; set; }
    public DebRemoteOptions? Deb { get; set; }
    public RpmRemoteOptions? Rpm { get; set; }
    public ContainerRemoteOptions? Container { get; set; }

    /// <summary>The type block of <see cref="Type"/> (what its content type reads), or null when the spec has none.</summary>
    public RemoteTypeOptions? TypeOptions() => TypeBlocks().FirstOrDefault(b => b.Type == Type).Block;

    /// <summary>The type blocks the spec has, each with the content type it belongs to (only that of <see cref="Type"/> is valid).</summary>
    public IEnumerable<(ContentType Type, RemoteTypeOptions Block)> TypeBlocks()
    {
        (ContentType, RemoteTypeOptions?)[] blocks =
        [
            (ContentType.File, File), (ContentType.Python, Python), (ContentType.Deb, Deb), (ContentType.Rpm, Rpm), (ContentType.Container, Container),
        ];
        return blocks.Where(b => b.Item2 is not null).Select(b => (b.Item1, b.Item2!));
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<DownloadPolicy>))]
public enum DownloadPolicy
{
    Immediate,
    OnDemand,
    Streamed,
}

public sealed class RemoteTls
{
    [Description("Secret with a PEM CA bundle to trust for the upstream.")]
    public SecretReference? CaSecretRef { get; set; }

    [Description("Secret with a PEM client certificate and key (keys tls.crt and tls.key).")]
    public SecretReference? ClientCertSecretRef { get; set; }

    public bool InsecureSkipVerify { get; set; }
}

public sealed class RemoteProxy
{
    [Required, Pattern(Patterns.HttpUrl)]
    public string Url { get; set; } = "";

    public SecretReference? AuthSecretRef { get; set; }
}

public sealed class RemoteStatus : ResourceStatus;
