namespace Packyard.Standalone;

/// <summary>Settings of <c>packyard run</c>.</summary>
public sealed record StandaloneOptions
{
    /// <summary>Folder of manifests (a git checkout), watched for changes.</summary>
    public required string ManifestsDirectory { get; init; }

    /// <summary>PostgreSQL connection string; absent starts a private PostgreSQL under the data directory.</summary>
    public string? Database { get; init; }

    /// <summary>Artifact store (a path, file:///path or s3://…); absent stores under the data directory.</summary>
    public string? Storage { get; init; }

    /// <summary>Address to serve on, host:port.</summary>
    public string Listen { get; init; } = "127.0.0.1:8080";

    public string DataDirectory { get; init; } = ".packyard";

    /// <summary>How the private PostgreSQL runs (durable by default).</summary>
    public Engine.Database.EmbeddedPostgresOptions EmbeddedDatabase { get; init; } = new();

    /// <summary>Leave the private PostgreSQL running when Packyard stops.</summary>
    public bool KeepDatabase { get; init; }

    /// <summary>How long the manifests folder must stay unchanged before a change is read (a burst of writes is read once).</summary>
    public TimeSpan ReloadQuietPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Key encrypting Remote credentials in the database; absent: <c>secret-key</c> in the data directory, generated when missing.</summary>
    public string? SecretKeyFile { get; init; }

    /// <summary>Bearer token (or basic-auth password) that uploads must present; absent generates one in the data directory.</summary>
    public string? UploadToken { get; init; }

    /// <summary>How often every resource is reconciled even when nothing changed (Flux's interval).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a Repository removed from the manifests keeps its versions for a re-added one; zero deletes at once.</summary>
    public TimeSpan DeletionGrace { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Orphan cleanup runs at least this often (--orphan-cleanup-interval).</summary>
    public TimeSpan OrphanCleanupInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often a running task's progress is recorded for status.progress (--progress-interval).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How failed syncs are retried.</summary>
    public Controllers.SyncRetryOptions SyncRetry { get; init; } = new();

    /// <summary>Also print Packyard's informational logs (the console shows events and progress without them).</summary>
    public bool Verbose { get; init; }

    /// <summary>Concurrent reconciles (syncs included).</summary>
    public int Workers { get; init; } = 4;
}
