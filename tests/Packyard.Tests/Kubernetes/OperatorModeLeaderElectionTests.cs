using System.Diagnostics;
using Packyard.Tests.Kubernetes.Operator;

namespace Packyard.Tests.Kubernetes;

/// <summary>Several <c>packyard operator</c> replicas against one API server: one leader by a Lease, hand-over on a crash and on SIGTERM.</summary>
public sealed class OperatorModeLeaderElectionTests
{
    [Fact]
    public async Task Only_the_leader_reconciles_and_a_killed_leader_is_replaced_within_the_lease_duration()
    {
        await using var cluster = await OperatorCluster.StartAsync("operatorleader");
        var first = cluster.StartOperator("replica-a");
        await OperatorCluster.WaitForLeadershipAsync(first, TimeSpan.FromSeconds(60));
        var second = cluster.StartOperator("replica-b");
        await second.WaitUntilAsync("replica-b answers /metrics", async () => await OperatorCluster.TryMetricsAsync(second) is not null, TimeSpan.FromSeconds(60));

        await cluster.Kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await OperatorModeTests.WaitAsync(cluster, first, "--for=condition=Ready", "remote/quickstart-upstream", "repository/quickstart", "distribution/quickstart");
        Assert.Equal("replica-a", await cluster.Kubectl.SucceedAsync("get", "lease", "packyard-controller", "-o", "jsonpath={.spec.holderIdentity}"));

        // The standby has reconciled nothing while the leader lives: no resource is ever reconciled by both.
        var standby = (await OperatorCluster.TryMetricsAsync(second))!;
        Assert.Equal(0, OperatorCluster.Metric(standby, "packyard_leader"));
        Assert.Equal(0, OperatorCluster.Metric(standby, "packyard_reconcile_total"));
        Assert.True(OperatorCluster.Metric((await OperatorCluster.TryMetricsAsync(first))!, "packyard_reconcile_total") >= 3);

        first.Kill(); // SIGKILL: no lease release; the standby waits for the lease to expire.
        var handover = await OperatorCluster.WaitForLeadershipAsync(second, TimeSpan.FromSeconds(30));
        Assert.True(handover <= OperatorCluster.LeaseDuration + OperatorCluster.RetryPeriod + TimeSpan.FromSeconds(1.5),
            $"took {handover.TotalSeconds:0.0} s to take over a {OperatorCluster.LeaseDuration.TotalSeconds} s lease");
        Assert.Equal("replica-b", await cluster.Kubectl.SucceedAsync("get", "lease", "packyard-controller", "-o", "jsonpath={.spec.holderIdentity}"));

        // The new leader reconciles: a request is handled and echoed.
        await cluster.Kubectl.SucceedAsync("annotate", "repository", "quickstart", "packyard.io/requested-at=after-failover", "--overwrite");
        await OperatorModeTests.WaitAsync(cluster, second, "--for=jsonpath={.status.lastHandledRequest}=after-failover", "repository/quickstart");

        // SIGTERM: the leader stops, releases the lease, and a standby takes over without waiting for it to expire.
        var third = cluster.StartOperator("replica-c");
        await third.WaitUntilAsync("replica-c answers /metrics", async () => await OperatorCluster.TryMetricsAsync(third) is not null, TimeSpan.FromSeconds(60));
        using (var term = Process.Start("kill", ["-TERM", second.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await second.WaitUntilAsync("replica-b exits after SIGTERM", () => Task.FromResult(second.HasExited), TimeSpan.FromSeconds(30));
        // Released on the way out: the lease is free (or already replica-c's), not held by replica-b until it expires.
        Assert.NotEqual("replica-b", await cluster.Kubectl.SucceedAsync("get", "lease", "packyard-controller", "-o", "jsonpath={.spec.holderIdentity}"));
        await OperatorCluster.WaitForLeadershipAsync(third, TimeSpan.FromSeconds(30));
    }
}
