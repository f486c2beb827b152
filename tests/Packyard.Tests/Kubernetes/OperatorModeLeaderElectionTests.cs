using System.Diagnostics;
using System.Globalization;
using Packyard.Tests.Kubernetes.Operator;
using Packyard.Tests.Standalone;
using Xunit.Abstractions;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// Two and three <c>packyard operator</c> replicas against the real API server with the DEFAULT lease flags (15 s lease, 10 s
/// renew deadline, 2 s retry period), each authenticating as a user of its own so the audit log tells them apart: one leader
/// by the Lease at every moment, hand-over on a crash (<c>kill -9</c>) within leaseDuration + retryPeriod, and on SIGTERM within 3 s.
/// </summary>
public sealed class OperatorModeLeaderElectionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(2);
    private static readonly string[] PackyardResources = ["remotes", "repositories", "distributions", "promotions"];

    [Fact]
    public async Task Exactly_one_replica_leads_at_every_sample_over_two_minutes_and_only_the_leader_reconciles()
    {
        await using var cluster = await OperatorCluster.StartAsync("operatorleaderone");
        var replicas = new[] { "replica-a", "replica-b" }.ToDictionary(id => id, id => cluster.StartReplica(id, cluster.ReplicaKubeconfig(id), shortLease: false));
        var leader = await WaitForHolderAsync(cluster, replicas.Keys.Contains, TimeSpan.FromSeconds(60));
        var standby = replicas.Keys.Single(id => id != leader);
        await replicas[standby].WaitUntilAsync("the standby answers /metrics", async () => await OperatorCluster.TryMetricsAsync(replicas[standby]) is not null, TimeSpan.FromSeconds(60));
        await cluster.Kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");

        // Sample each replica's packyard_leader and the Lease's holder about once a second for two minutes, while the
        // resources are created, become Ready and get requests.
        var clock = Stopwatch.StartNew();
        var samples = 0;
        var requests = 0;
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var sampleStart = clock.Elapsed;
            var leading = new List<string>();
            foreach (var (id, replica) in replicas)
            {
                var metrics = await OperatorCluster.TryMetricsAsync(replica);
                Assert.True(metrics is not null, $"{id} stopped answering /metrics at {sampleStart.TotalSeconds:0.0} s:\n{replica.Output}");
                if (OperatorCluster.Metric(metrics, "packyard_leader") == 1)
                {
                    leading.Add(id);
                }
            }

            var lease = await cluster.TryGetLeaseAsync();
            Assert.True(leading.Count == 1 && lease?.Holder == leading[0],
                $"sample {samples} at {sampleStart.TotalSeconds:0.0} s: replicas leading [{string.Join(", ", leading)}], Lease held by {lease?.Holder ?? "nobody"}");
            Assert.Equal(leader, leading[0]);
            samples++;
            if (samples % 20 == 10)
            {
                requests++;
                await cluster.Kubectl.SucceedAsync("annotate", "repository", "quickstart", $"packyard.io/requested-at=request-{requests}", "--overwrite");
            }

            var rest = TimeSpan.FromSeconds(1) - (clock.Elapsed - sampleStart);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
        }

        output.WriteLine($"{samples} samples in two minutes, each with exactly one leader ({leader})");
        Assert.True(samples >= 100, $"only {samples} samples in two minutes");
        await OperatorModeTests.WaitAsync(cluster, replicas[leader], "--for=condition=Ready", "remote/quickstart-upstream", "repository/quickstart", "distribution/quickstart");
        await OperatorModeTests.WaitAsync(cluster, replicas[leader], $"--for=jsonpath={{.status.lastHandledRequest}}=request-{requests}", "repository/quickstart");

        // No resource reconciled by both: the standby reconciled nothing and nothing it wrote was accepted (no status, finalizer,
        // Event or Lease write; on a loaded machine it may try to take a Lease whose renewal is late, and the Lease's
        // resourceVersion refuses that with 409); every write on the four kinds came from the leader.
        var standbyMetrics = (await OperatorCluster.TryMetricsAsync(replicas[standby]))!;
        Assert.Equal(0, OperatorCluster.Metric(standbyMetrics, "packyard_reconcile_total"));
        Assert.True(OperatorCluster.Metric((await OperatorCluster.TryMetricsAsync(replicas[leader]))!, "packyard_reconcile_total") >= 3);
        var writes = cluster.Writes(includeLeases: true);
        Assert.Empty(writes.Where(w => w.User == cluster.ReplicaUser(standby) && w.Code < 400).Select(w => $"{w.Code} {w.Verb} {w.RequestUri}"));
        Assert.All(writes.Where(w => w.User == cluster.ReplicaUser(standby)), w => Assert.Equal(("leases", 409), (w.Resource, w.Code)));
        var resourceWrites = writes.Where(w => PackyardResources.Contains(w.Resource)).ToList();
        Assert.Contains(resourceWrites, w => w.Subresource == "status" && w.Resource == "repositories" && w.Name == "quickstart");
        Assert.All(resourceWrites, w => Assert.Equal(cluster.ReplicaUser(leader), w.User));
        // Both replicas read the Lease throughout: the standby campaigns, it is not idle because it failed.
        Assert.Contains(cluster.Requests(), r => r.User == cluster.ReplicaUser(standby) && r.Resource == "leases" && r.Verb == "get");
    }

    [Fact]
    public async Task A_killed_leader_is_replaced_within_lease_duration_plus_retry_period_and_SIGTERM_hands_over_within_three_seconds()
    {
        await using var cluster = await OperatorCluster.StartAsync("operatorleaderkill");
        var replicas = new[] { "replica-a", "replica-b" }.ToDictionary(id => id, id => cluster.StartReplica(id, cluster.ReplicaKubeconfig(id), shortLease: false));
        var leader = await WaitForHolderAsync(cluster, replicas.Keys.Contains, TimeSpan.FromSeconds(60));
        var standby = replicas.Keys.Single(id => id != leader);
        await cluster.Kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await OperatorModeTests.WaitAsync(cluster, replicas[leader], "--for=condition=Ready", "remote/quickstart-upstream", "repository/quickstart", "distribution/quickstart");

        // kill -9: no release; the standby takes the Lease once it expired (renewTime + 15 s), on its next try (every 2 s).
        var killedAt = DateTimeOffset.UtcNow;
        replicas[leader].Kill();
        // A change made while nobody leads is handled by the new leader.
        await cluster.Kubectl.SucceedAsync("annotate", "repository", "quickstart", "packyard.io/requested-at=after-kill", "--overwrite");
        await WaitForHolderAsync(cluster, id => id == standby, TimeSpan.FromSeconds(40));
        var takeover = (await cluster.TryGetLeaseAsync())!.Value.AcquireTime!.Value - killedAt;
        output.WriteLine($"kill -9 of {leader}: {standby} acquired the Lease {takeover.TotalSeconds:0.000} s later");
        Assert.True(takeover <= LeaseDuration + RetryPeriod, $"{standby} acquired the Lease {takeover.TotalSeconds:0.000} s after kill -9 of {leader}");
        await OperatorModeTests.WaitAsync(cluster, replicas[standby], "--for=jsonpath={.status.lastHandledRequest}=after-kill", "repository/quickstart");

        // SIGTERM: the leader releases the Lease on its way out, and a standby takes over without waiting for it to expire.
        var third = cluster.StartReplica("replica-c", cluster.ReplicaKubeconfig("replica-c"), shortLease: false);
        await third.WaitUntilAsync("replica-c campaigns", () => Task.FromResult(
            cluster.Requests().Any(r => r.User == cluster.ReplicaUser("replica-c") && r.Resource == "leases")), TimeSpan.FromSeconds(60));
        var terminatedAt = DateTimeOffset.UtcNow;
        Signal(replicas[standby], "TERM");
        await WaitForHolderAsync(cluster, id => id == "replica-c", TimeSpan.FromSeconds(20));
        var handover = (await cluster.TryGetLeaseAsync())!.Value.AcquireTime!.Value - terminatedAt;
        output.WriteLine($"SIGTERM of {standby}: replica-c acquired the Lease {handover.TotalSeconds:0.000} s later");
        Assert.True(handover <= TimeSpan.FromSeconds(3), $"replica-c acquired the Lease {handover.TotalSeconds:0.000} s after SIGTERM of {standby}");
        await replicas[standby].WaitUntilAsync($"{standby} exits after SIGTERM", () => Task.FromResult(replicas[standby].HasExited), TimeSpan.FromSeconds(30));
        await cluster.Kubectl.SucceedAsync("annotate", "repository", "quickstart", "packyard.io/requested-at=after-term", "--overwrite");
        await OperatorModeTests.WaitAsync(cluster, third, "--for=jsonpath={.status.lastHandledRequest}=after-term", "repository/quickstart");
    }

    /// <summary>Polls the Lease until its holder satisfies <paramref name="holder"/>; returns the holder.</summary>
    private static async Task<string> WaitForHolderAsync(OperatorCluster cluster, Func<string, bool> holder, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var lease = await cluster.TryGetLeaseAsync();
            if (lease?.Holder is { } id && holder(id))
            {
                return id;
            }

            Assert.True(clock.Elapsed < timeout, $"the Lease is held by {lease?.Holder ?? "nobody"} after {timeout.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }

    private static void Signal(PackyardProcess replica, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", replica.ProcessId.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
