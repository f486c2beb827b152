using Packyard.Tests.Kubernetes.Operator;

namespace Packyard.Tests.Kubernetes;

/// <summary>Resources at rest cost reads (watches, the resync's reconciles) but never an API write.</summary>
public sealed class OperatorModeQuietTests
{
    [Fact]
    public async Task Resources_at_rest_cause_no_API_writes_over_a_quiet_minute_of_thirty_resync_periods()
    {
        var resync = TimeSpan.FromSeconds(2);
        var quiet = TimeSpan.FromSeconds(60);
        await using var cluster = await OperatorCluster.StartAsync("operatorquiet");
        var replica = cluster.StartOperator("replica-a", resync: "2s");
        await cluster.Kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "remote/quickstart-upstream", "repository/quickstart", "distribution/quickstart");
        await Task.Delay(TimeSpan.FromSeconds(3)); // trailing events and dependents' reconciles settle
        Assert.NotEmpty(cluster.Writes()); // the setup itself wrote: finalizers, status, events

        var writesBefore = cluster.Writes(includeLeases: true);
        var leaseWritesBefore = writesBefore.Count - cluster.Writes().Count;
        var reconcilesBefore = OperatorCluster.Metric(await replica.Http.GetStringAsync("metrics"), "packyard_reconcile_total");
        await Task.Delay(quiet);
        var reconciles = OperatorCluster.Metric(await replica.Http.GetStringAsync("metrics"), "packyard_reconcile_total") - reconcilesBefore;
        var writes = cluster.Writes(includeLeases: true).Skip(writesBefore.Count).ToList();

        // Each of the three resources was reconciled on at least half the resync ticks (slack for a loaded machine), and none of that wrote anything but Lease renewals.
        Assert.True(reconciles >= 3 * (quiet / resync / 2), $"only {reconciles} reconciles in {quiet.TotalSeconds} s with a {resync.TotalSeconds} s resync");
        Assert.Empty(writes.Where(w => w.Resource != "leases").Select(w => $"{w.Verb} {w.RequestUri}"));
        Assert.True(leaseWritesBefore > 0 && writes.Count > 0, "the leader renews its lease (the only writes at rest)");
    }
}
