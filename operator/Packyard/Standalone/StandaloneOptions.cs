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

    /// <summary>Bearer token (or basic-auth password) that uploads must present; absent generates one in the data directory.</summary>
    public string? UploadToken { get; init; }

    /// <summary>How often every resource is reconciled even when nothing changed (Flux's interval).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How failed syncs are retried.</summary>
    public Controllers.SyncRetryOptions SyncRetry { get; init; } = new();

    /// <summary>Concurrent reconciles (syncs included).</summary>
    public int Workers { get; init; } = 4;
}
