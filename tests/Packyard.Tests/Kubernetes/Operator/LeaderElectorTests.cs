using Packyard.Kubernetes;
using Packyard.Kubernetes.Configuration;
using Packyard.Operator;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Kubernetes.Operator;

public sealed class LeaderElectorTests : IAsyncLifetime
{
    private readonly TemporaryDirectory directory = new();
    private TestApiServer server = null!;
    private KubernetesClient client = null!;

    public async Task InitializeAsync()
    {
        server = await TestApiServer.StartAsync();
        client = new KubernetesClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(directory.Path)));
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        directory.Dispose();
        await server.DisposeAsync();
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

        await stopA.CancelAsync();
        await runA;
        await Eventually(() => b.IsLeader);

        Assert.Equal(["a", "b"], leaders);
        Assert.Equal(1, maxLeading);
        await stopB.CancelAsync();
        await runB;
    }

    [Fact]
    public async Task A_replica_takes_over_a_lease_whose_holder_stopped_renewing_after_the_lease_duration()
    {
        var crashed = new LeaderElector(client, Options("crashed", TimeSpan.FromSeconds(2)));
        Assert.True(await crashed.TryAcquireOrRenewAsync(CancellationToken.None));
        var successor = new LeaderElector(client, Options("successor", TimeSpan.FromSeconds(2)));
        var started = DateTimeOffset.UtcNow;
        using var stop = new CancellationTokenSource();

        var run = successor.RunAsync(token => Task.Delay(Timeout.Infinite, token), stop.Token);
        await Eventually(() => successor.IsLeader);

        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        var lease = await client.GetAsync(KubernetesKinds.Lease, "default", "packyard-controller", CancellationToken.None);
        Assert.Equal("successor", lease.Spec!.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        await stop.CancelAsync();
        await run;
    }

    private static LeaderElectionOptions Options(string identity, TimeSpan leaseDuration) => new()
    {
        Namespace = "default",
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
}
