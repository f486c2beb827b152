using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Packyard.Kubernetes;
using Packyard.Kubernetes.Models;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes;

/// <summary>A Lease as the leader elector writes it is accepted by the real API server (its times are MicroTime).</summary>
public sealed class LeaseMicroTimeTests
{
    [Fact]
    public async Task A_Lease_with_times_of_any_precision_is_written_as_MicroTime_and_accepted_by_the_API_server()
    {
        var environment = await KubernetesEnvironment.GetSharedAsync();
        var ns = await environment.CreateNamespaceAsync("lease");
        // 7 fractional digits (.NET's tick precision) and none at all: the two shapes .NET's default format would send.
        var precise = new DateTimeOffset(2026, 12, 6, 5, 30, 0, TimeSpan.FromHours(1)).AddTicks(1234567);
        var whole = new DateTimeOffset(2026, 12, 6, 4, 30, 1, TimeSpan.Zero);
        var lease = new Lease { Metadata = { Name = "micro", Namespace = ns }, Spec = new LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 15, AcquireTime = precise, RenewTime = whole } };

        var json = JsonSerializer.Serialize(lease, KubernetesJsonContext.Default.Lease);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await environment.Http.PostAsync($"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases", content);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Matches(new Regex("\"acquireTime\":\"2026-12-06T04:30:00\\.123456Z\",\"renewTime\":\"2026-12-06T04:30:01\\.000000Z\""), json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var stored = JsonSerializer.Deserialize(body, KubernetesJsonContext.Default.Lease)!;
        Assert.Equal((precise.AddTicks(-7), whole), (stored.Spec!.AcquireTime, stored.Spec.RenewTime));
    }
}
