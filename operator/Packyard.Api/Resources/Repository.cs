using System.Text.Json.Serialization;
using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

[KubernetesResource("Repository", "repositories", "prepo")]
[Description("A versioned set of content, fed by a Remote, uploads and promotions.")]
[PrinterColumn("Type", "string", ".spec.type")]
[PrinterColumn("Version", "integer", ".status.latestVersion")]
[PrinterColumn("Content", "integer", ".status.contentCount")]
[PrinterColumn("Tags", "integer", ".status.contentCounts.tags")]
[PrinterColumn("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status")]
[PrinterColumn("Progress", "string", ".status.progress.summary")]
[PrinterColumn("Status", "string", ".status.conditions[?(@.type==\"Ready\")].message", Priority = 1)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
public sealed class Repository : PackyardResource<RepositorySpec, RepositoryStatus>
{
    public override string Kind { get; set; } = "Repository";
}

[ValidationRule("self.type == 'deb' || !has(self.publish) || !has(self.publish.deb)", "spec.publish.deb is only allowed when spec.type is deb")]
public sealed class RepositorySpec
{
    [Required, Immutable, Description("Content type of the repository (immutable).")]
    public ContentType Type { get; set; }

    [Description("Remote to sync from; absent means the repository is fed only by uploads and promotions.")]
    public LocalObjectReference? RemoteRef { get; set; }

    public RepositorySync? Sync { get; set; }

    [Range(0, 1_000_000), Description("Keep the newest N versions; 0 or absent keeps all.")]
    public int? RetainVersions { get; set; }

    public RepositoryPublish? Publish { get; set; }

    public RepositoryUploads? Uploads { get; set; }

    /// <summary>The publish block of <see cref="Type"/> (what its publisher reads), or null when the spec has none.</summary>
    public PublishTypeOptions? TypePublishOptions() => Publish?.TypeBlocks().FirstOrDefault(b => b.Type == Type).Block;
}

public sealed class RepositorySync
{
    [Default("Additive"), Description("Additive keeps what the upstream dropped; Mirror makes the repository equal to the upstream.")]
    public SyncMode Mode { get; set; } = SyncMode.Additive;

    [Description("Cron schedule (5 fields); absent means sync on create and on spec change.")]
    public string? Schedule { get; set; }

    [Default("UTC"), Description("IANA time zone the schedule is read in.")]
    public string TimeZone { get; set; } = "UTC";

    public bool Suspend { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<SyncMode>))]
public enum SyncMode
{
    Additive,
    Mirror,
}

public sealed class RepositoryPublish
{
    [Default(true), Description("Publish every new version.")]
    public bool Enabled { get; set; } = true;

    [Description("Secret with the OpenPGP private key that signs Release/repomd metadata.")]
    public SecretReference? SigningKeySecretRef { get; set; }

    public DebPublishOptions? Deb { get; set; }

    /// <summary>The content types that have a publish block.</summary>
    public static IReadOnlyList<ContentType> BlockTypes { get; } = [ContentType.Deb];

    /// <summary>The publish blocks set, each with the content type it belongs to (only that of spec.type is valid).</summary>
    public IEnumerable<(ContentType Type, PublishTypeOptions Block)> TypeBlocks()
    {
        (ContentType, PublishTypeOptions?)[] blocks = [(ContentType.Deb, Deb)];
        return blocks.Where(b => b.Item2 is not null).Select(b => (b.Item1, b.Item2!));
    }
}

public sealed class RepositoryUploads
{
    [Description("Accept pushed content through the content API.")]
    public bool Enabled { get; set; }
}

public sealed class RepositoryStatus : ResourceStatus
{
    public long? LatestVersion { get; set; }

    [Description("The newest few versions.")]
    public List<RepositoryVersionSummary>? Versions { get; set; }

    public SyncSummary? LastSync { get; set; }

    public DateTimeOffset? NextSyncTime { get; set; }

    [Description("When a failed sync is retried (exponential backoff); absent while the last sync succeeded.")]
    public DateTimeOffset? NextRetryTime { get; set; }

    public PublicationSummary? Publication { get; set; }

    public long? ContentCount { get; set; }

    [Description("The latest version's units by kind, for types that count kinds apart (container: tags, manifests, blobs).")]
    public Dictionary<string, long>? ContentCounts { get; set; }

    [Description("What the running task does (phase, done, total, bytes), updated every few seconds; absent while none runs.")]
    public RepositoryProgress? Progress { get; set; }
}

public sealed class RepositoryVersionSummary
{
    public long Number { get; set; }
    public DateTimeOffset Created { get; set; }
    public long Added { get; set; }
    public long Removed { get; set; }
    public long ContentCount { get; set; }
}

public sealed class SyncSummary
{
    public DateTimeOffset? StartTime { get; set; }
    public DateTimeOffset? CompletionTime { get; set; }
    public SyncResult? Result { get; set; }

    [Description("The version the sync created, or the current version when nothing changed.")]
    public long? Version { get; set; }

    public long? Added { get; set; }
    public long? Removed { get; set; }
    public string? Message { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<SyncResult>))]
public enum SyncResult
{
    Succeeded,
    Failed,
}

public sealed class PublicationSummary
{
    public long Version { get; set; }
    public DateTimeOffset Created { get; set; }
}
