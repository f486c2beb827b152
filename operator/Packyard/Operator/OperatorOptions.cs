using Packyard.Hosting;

namespace Packyard.Operator;

/// <summary>Settings of <c>packyard operator</c>.</summary>
public sealed record OperatorOptions
{
    public required EngineHostOptions Engine { get; init; }

    public required OperatorRoles Roles { get; init; }

    /// <summary>Kubeconfig file; absent: $KUBECONFIG or ~/.kube/config, else the in-cluster service account.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Watch only this namespace; absent: all namespaces.</summary>
    public string? Namespace { get; init; }

    /// <summary>Run controllers only while holding the Lease; off runs them unconditionally (one replica only).</summary>
    public bool LeaderElect { get; init; } = true;

    /// <summary>Lease settings; the namespace and identity are resolved at start when not given.</summary>
    public string LeaseName { get; init; } = "packyard-controller";

    public string? LeaseNamespace { get; init; }

    public string? Identity { get; init; }

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Every resource is reconciled at least this often, even when nothing changed.</summary>
    public TimeSpan Resync { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Reconciles running at once (syncs run on workers, <see cref="WorkerConcurrency"/>).</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Sync tasks a worker runs at once.</summary>
    public int WorkerConcurrency { get; init; } = 4;

    /// <summary>How often a worker refreshes a running task's heartbeat.</summary>
    public TimeSpan TaskHeartbeat { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A running task whose heartbeat is older than this belongs to a hung worker and is taken over.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Token uploads must present; absent: uploads are refused (no TokenReview authorizer yet).</summary>
    public string? UploadToken { get; init; }

    /// <summary>How often a running task's progress is recorded for status.progress (--progress-interval).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Serve the read-only status page at <c>/</c> (content role only; off by default).</summary>
    public bool Ui { get; init; }
}

/// <summary>
/// Which parts of Packyard a process runs, in any combination: the controller reconciles and queues syncs as tasks in
/// PostgreSQL, workers claim and run them (several at once, without Kubernetes access), content serves distributions.
/// Publishes and promotions run inside the controller's reconciles.
/// </summary>
public sealed record OperatorRoles(bool Controller, bool Worker, bool Content)
{
    public static OperatorRoles All { get; } = new(true, true, true);

    /// <summary>Parses <c>controller,worker,content</c> (repeated or comma-separated); null and an error message when invalid.</summary>
    public static OperatorRoles? Parse(IEnumerable<string> values, out string? error)
    {
        error = null;
        var names = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (names.Count == 0)
        {
            return All;
        }

        var unknown = names.Where(n => n is not ("controller" or "worker" or "content")).ToList();
        if (unknown.Count > 0)
        {
            error = $"--role: unknown role '{unknown[0]}'; the roles are controller, worker and content";
            return null;
        }

        return new OperatorRoles(names.Contains("controller"), names.Contains("worker"), names.Contains("content"));
    }

    public override string ToString() =>
        string.Join(',', new[] { Controller ? "controller" : null, Worker ? "worker" : null, Content ? "content" : null }.OfType<string>());
}
