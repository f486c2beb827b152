using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using Packyard.ControllerRuntime;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes.Operator;

/// <summary>Leader election on the real API server's Lease (coordination.k8s.io/v1), which accepts only MicroTime times.</summary>
public sealed partial class LeaderElectorTests : IAsyncLifetime
{
    private KubernetesEnvironment environment = null!;
    private k8s.Kubernetes client = null!;
    private string ns = null!;

    public async Task InitializeAsync()
    {
        environment = await KubernetesEnvironment.GetSharedAsync();
        ns = await environment.CreateNamespaceAsync("leader");
        client = environment.LibraryClient();
    }

    public Task DisposeAsync()
    {
        client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_lease_is_accepted_in_MicroTime_renewed_for_seconds_without_losing_leadership_and_released_on_cancel()
    {
        var terms = 0;
        var elector = new LeaderElector(client, Options("steady", TimeSpan.FromSeconds(3)) with { RenewDeadline = TimeSpan.FromSeconds(2), RetryPeriod = TimeSpan.FromMilliseconds(250) });
        using var stop = new CancellationTokenSource();
        var run = elector.RunAsync(token =>
        {
            Interlocked.Increment(ref terms);
            return Task.Delay(Timeout.Infinite, token);
        }, stop.Token);
        await Eventually(() => elector.IsLeader);

        var renewTimes = new HashSet<string>(StringComparer.Ordinal);
        var started = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(4))
        {
            Assert.True(elector.IsLeader, "leadership was lost while the lease was being renewed");
            var spec = (await LeaseJsonAsync())["spec"]!;
            Assert.Equal("steady", spec["holderIdentity"]!.GetValue<string>());
            var renewTime = spec["renewTime"]!.GetValue<string>();
            Assert.Matches(MicroTimeFormat(), renewTime);
            Assert.Matches(MicroTimeFormat(), spec["acquireTime"]!.GetValue<string>());
            renewTimes.Add(renewTime);
            await Task.Delay(200);
        }

        // Renewals come every 250 ms, but a loaded machine samples less often than that: assert that the lease was
        // renewed many times and throughout the 4 s, not a count of samples.
        var renewed = renewTimes.Select(time => DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.True(renewed.Count >= 4, $"the lease was renewed {renewed.Count} times in 4 s");
        Assert.True(renewed[^1] - renewed[0] >= TimeSpan.FromSeconds(2.5), $"renewals spanned only {renewed[^1] - renewed[0]} of 4 s");
        Assert.Equal(1, terms);
        await stop.CancelAsync();
        await run;

        var released = (await LeaseJsonAsync())["spec"]!;
        Assert.Null(released["holderIdentity"]);
        Assert.Equal(1, released["leaseDurationSeconds"]!.GetValue<int>());
        Assert.Matches(MicroTimeFormat(), released["renewTime"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_time_on_a_whole_second_is_still_written_as_MicroTime_and_accepted()
    {
        var wholeSecond = new DateTimeOffset(2026, 12, 6, 5, 0, 0, TimeSpan.Zero);
        var elector = new LeaderElector(client, Options("punctual", TimeSpan.FromSeconds(15)), time: new FixedTime(wholeSecond));

        Assert.True(await elector.TryAcquireOrRenewAsync(CancellationToken.None));
        Assert.True(await elector.TryAcquireOrRenewAsync(CancellationToken.None));

        var spec = (await LeaseJsonAsync())["spec"]!;
        Assert.Equal("2026-12-06T05:00:00.000001Z", spec["renewTime"]!.GetValue<string>());
        Assert.Equal("2026-12-06T05:00:00.000001Z", spec["acquireTime"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_one_of_two_replicas_leads_and_a_graceful_shutdown_hands_over_at_once()
    {
        var leading = 0;
        var maxLeading = 0;
        var leaders = new List<string>();
        Func<CancellationToken, Task> Lead(string identity) => async token =>
        {
            lock (leaders)
            {
                leaders.Add(identity);
                maxLeading = Math.Max(maxLeading, ++leading);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                lock (leaders)
                {
                    leading--;
                }
            }
        };
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var a = new LeaderElector(client, Options("a", TimeSpan.FromSeconds(30)));
        var b = new LeaderElector(client, Options("b", TimeSpan.FromSeconds(30)));
        var runA = a.RunAsync(Lead("a"), stopA.Token);
        await Eventually(() => a.IsLeader);
        var runB = b.RunAsync(Lead("b"), stopB.Token);
        await Task.Delay(500);
        Assert.False(b.IsLeader);

        var handover = DateTimeOffset.UtcNow;
        await stopA.CancelAsync();
        await runA;
        await Eventually(() => b.IsLeader);
        Assert.InRange(DateTimeOffset.UtcNow - handover, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        await Eventually(() =>
        {
            lock (leaders)
            {
                return leaders.Count == 2;
            }
        });

        lock (leaders)
        {
            Assert.Equal(["a", "b"], leaders);
            Assert.Equal(1, maxLeading);
        }

        await stopB.CancelAsync();
        await runB;
    }

    [Fact]
    public async Task A_replica_takes_over_a_lease_whose_holder_stopped_renewing_after_the_lease_duration()
    {
        var crashed = new LeaderElector(client, Options("crashed", TimeSpan.FromSeconds(2)));
        Assert.True(await crashed.TryAcquireOrRenewAsync(CancellationToken.None));
        var lastRenewal = (await client.CoordinationV1.ReadNamespacedLeaseAsync("packyard-controller", ns)).Spec.RenewTime!.Value;
        var successor = new LeaderElector(client, Options("successor", TimeSpan.FromSeconds(2)));
        using var stop = new CancellationTokenSource();

        var run = successor.RunAsync(token => Task.Delay(Timeout.Infinite, token), stop.Token);
        await Eventually(() => successor.IsLeader);

        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("packyard-controller", ns);
        Assert.Equal("successor", lease.Spec!.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        // Not before the crashed holder's lease expired (renewTime + 2 s), and within a few retry periods after.
        Assert.InRange(lease.Spec.AcquireTime!.Value - lastRenewal, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
        await stop.CancelAsync();
        await run;
    }

    /// <summary>The Lease as the API server stores it (raw JSON, so the time format is the server's, not a parser's).</summary>
    private async Task<JsonNode> LeaseJsonAsync() =>
        (await environment.SendAsync(HttpMethod.Get, $"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases/packyard-controller"))!;

    private LeaderElectionOptions Options(string identity, TimeSpan leaseDuration) => new()
    {
        Namespace = ns,
        Identity = identity,
        LeaseDuration = leaseDuration,
        RenewDeadline = TimeSpan.FromSeconds(1),
        RetryPeriod = TimeSpan.FromMilliseconds(100),
    };

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The condition did not become true in 10 s.");
            await Task.Delay(20);
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", RegexOptions.CultureInvariant)]
    private static partial Regex MicroTimeFormat();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
