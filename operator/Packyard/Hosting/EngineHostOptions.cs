namespace Packyard.Hosting;

/// <summary>What <c>packyard run</c> and <c>packyard operator</c> share: where the database, artifacts and content app live.</summary>
public sealed record EngineHostOptions
{
    /// <summary>PostgreSQL connection string; absent starts a private PostgreSQL under <see cref="DataDirectory"/>.</summary>
    public string? Database { get; init; }

    /// <summary>Artifact store (a path, file:///path or s3://…); absent stores under <see cref="DataDirectory"/>.</summary>
    public string? Storage { get; init; }

    /// <summary>Address to serve on, host:port.</summary>
    public string Listen { get; init; } = "127.0.0.1:8080";

    /// <summary>The base URL clients reach distributions at (status.url); absent: http://<see cref="Listen"/>/.</summary>
    public string? PublicUrl { get; init; }

    public string DataDirectory { get; init; } = ".packyard";

    /// <summary>How long a deleted Repository's versions, publications and artifacts are kept for a re-created one; zero deletes at once.</summary>
    public TimeSpan DeletionGrace { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Orphan cleanup (a reclaim task) is queued when none was within this interval (--orphan-cleanup-interval).</summary>
    public TimeSpan OrphanCleanupInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How the private PostgreSQL runs (durable by default) when <see cref="Database"/> is absent.</summary>
    public Engine.Database.EmbeddedPostgresOptions EmbeddedDatabase { get; init; } = new();

    /// <summary>Leave the private PostgreSQL running when Packyard stops (by default it stops with Packyard).</summary>
    public bool KeepDatabase { get; init; }

    /// <summary>
    /// File holding the 256-bit key that encrypts Remote credentials in the database; absent: <c>secret-key</c> under
    /// <see cref="DataDirectory"/>, generated (mode 0600) when missing. Replicas sharing a database must share the key.
    /// </summary>
    public string? SecretKeyFile { get; init; }

    /// <summary>How failed syncs are retried (--sync-retry-initial, --sync-retry-max, --task-max-attempts).</summary>
    public Controllers.SyncRetryOptions SyncRetry { get; init; } = new();

    /// <summary>
    /// Whether this process uses the artifact store (workers and content servers); a controller-only process has none: its
    /// reconcilers only queue tasks.
    /// </summary>
    public bool ArtifactStore { get; init; } = true;

    /// <summary>
    /// The least severe log level of Packyard's own categories on the console: Information in operator mode (its logs are the
    /// record); standalone mode prints events and progress itself, so its logs add only warnings unless <c>--verbose</c>.
    /// </summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>Register the content app (serving, uploads) and its change listener.</summary>
    public bool ContentApp { get; init; } = true;
}
