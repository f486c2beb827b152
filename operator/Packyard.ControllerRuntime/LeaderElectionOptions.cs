namespace Packyard.ControllerRuntime;

/// <summary>Leader election on a coordination.k8s.io Lease, with client-go's defaults.</summary>
public sealed record LeaderElectionOptions
{
    public string LeaseName { get; init; } = "packyard-controller";
    public required string Namespace { get; init; }

    /// <summary>This replica's identity (the pod name).</summary>
    public required string Identity { get; init; }

    /// <summary>How long a lease is valid without renewal; other replicas take over after it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The leader gives up leading when it could not renew for this long.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often to try to acquire or renew.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}
