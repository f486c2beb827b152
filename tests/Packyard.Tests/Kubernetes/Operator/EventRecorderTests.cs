using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Packyard.ControllerRuntime;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes.Operator;

/// <summary>The runtime's event recorder writes core/v1 Events (the library's Corev1Event) that the real API server accepts.</summary>
public sealed class EventRecorderTests : IAsyncLifetime
{
    private KubernetesEnvironment environment = null!;
    private k8s.Kubernetes client = null!;
    private string ns = null!;

    public async Task InitializeAsync()
    {
        environment = await KubernetesEnvironment.GetSharedAsync();
        ns = await environment.CreateNamespaceAsync("events");
        client = environment.LibraryClient();
    }

    public Task DisposeAsync()
    {
        client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_repeated_event_bumps_the_count_of_one_Event_and_other_messages_recorded_at_once_are_Events_of_their_own()
    {
        using var recorder = new EventRecorder(client, "packyard-test", TimeProvider.System, NullLogger<EventRecorder>.Instance);
        await recorder.StartAsync(CancellationToken.None);
        var involved = new V1ObjectReference { ApiVersion = "packyard.io/v1alpha1", Kind = "Repository", NamespaceProperty = ns, Name = "debian", Uid = "u-1" };

        recorder.Record(involved, warning: true, "SyncFailed", "upstream answered 503");
        recorder.Record(involved, warning: true, "SyncFailed", "upstream answered 503");
        recorder.Record(involved, warning: false, "Synced", "version 2");
        recorder.Record(involved, warning: false, "Synced", "version 3");

        var events = await EventuallyAsync(async () =>
        {
            var list = await client.CoreV1.ListNamespacedEventAsync(ns);
            return list.Items.Count == 3 && list.Items.Any(e => e.Count == 2) ? list.Items : null;
        });
        var failed = Assert.Single(events, e => e.Reason == "SyncFailed");
        Assert.Equal(("Warning", 2, "upstream answered 503"), (failed.Type, failed.Count, failed.Message));
        Assert.Equal(("Repository", "debian", "u-1"), (failed.InvolvedObject.Kind, failed.InvolvedObject.Name, failed.InvolvedObject.Uid));
        Assert.Equal("packyard-test", failed.Source.Component);
        Assert.True(failed.LastTimestamp >= failed.FirstTimestamp);
        Assert.Equal(["version 2", "version 3"], events.Where(e => e.Reason == "Synced").Select(e => e.Message).Order(StringComparer.Ordinal));
        Assert.All(events.Where(e => e.Reason == "Synced"), e => Assert.Equal(("Normal", 1), (e.Type, e.Count)));
        await recorder.StopAsync(CancellationToken.None);
    }

    private static async Task<IList<Corev1Event>> EventuallyAsync(Func<Task<IList<Corev1Event>?>> read)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (await read() is { } result)
            {
                return result;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "The events did not appear in 10 s.");
            await Task.Delay(100);
        }
    }
}
