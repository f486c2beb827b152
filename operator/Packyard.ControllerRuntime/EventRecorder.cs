using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Packyard.ControllerRuntime;

/// <summary>
/// Writes events as core/v1 Events (the library's <see cref="Corev1Event"/> and typed API) on the objects they concern, in
/// the background so a reconcile never waits for the API. A repeat of the same event (object, type, reason, message) within
/// <see cref="AggregationWindow"/> bumps the existing Event's <c>count</c> and <c>lastTimestamp</c> with a merge patch
/// instead of creating another, as client-go's recorder does. Our own: the library has no event recorder.
/// </summary>
public sealed class EventRecorder(IKubernetes client, string component, TimeProvider time, ILogger<EventRecorder> logger) : BackgroundService
{
    public static readonly TimeSpan AggregationWindow = TimeSpan.FromMinutes(10);
    private readonly Channel<Pending> pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Dictionary<string, Written> written = new(StringComparer.Ordinal);
    private long sequence;

    /// <summary>Queues an event on <paramref name="involved"/> (its namespace is the Event's); <paramref name="warning"/> false is Normal.</summary>
    public void Record(V1ObjectReference involved, bool warning, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(involved);
        pending.Writer.TryWrite(new Pending(involved, warning ? "Warning" : "Normal", reason, message, time.GetUtcNow()));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var item in pending.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await WriteAsync(item, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException)
                {
                    RuntimeLog.EventFailed(logger, item.Involved.Kind ?? "", item.Involved.NamespaceProperty ?? "", item.Involved.Name ?? "", item.Reason,
                        e is HttpOperationException { Response: { } response } ? $"{(int)response.StatusCode} {response.Content}" : e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(Pending item, CancellationToken cancellationToken)
    {
        var involved = item.Involved;
        var ns = involved.NamespaceProperty ?? "default";
        var key = string.Join('\u001f', involved.Kind, ns, involved.Name, involved.Uid, item.Type, item.Reason, item.Message);
        if (written.TryGetValue(key, out var previous) && item.Time - previous.Last < AggregationWindow)
        {
            var count = previous.Count + 1;
            var patch = new JsonObject
            {
                ["count"] = count,
                ["lastTimestamp"] = item.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            };
            try
            {
                await client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), previous.Name, ns,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                written[key] = previous with { Count = count, Last = item.Time };
                return;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                // The Event expired (the API server deletes events after an hour): create a new one.
            }
        }

        // client-go's name: the object's name and the time in nanoseconds. The clock has 100 ns ticks and two events can
        // share one, so a sequence number fills the nanoseconds below the tick: Events written at once never collide.
        var nanoseconds = (item.Time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100 + (sequence++ % 100);
        var name = $"{involved.Name}.{nanoseconds.ToString("x", CultureInfo.InvariantCulture)}";
        var at = item.Time.UtcDateTime;
        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            InvolvedObject = involved,
            Reason = item.Reason,
            Message = item.Message,
            Type = item.Type,
            Source = new V1EventSource { Component = component },
            FirstTimestamp = at,
            LastTimestamp = at,
            Count = 1,
            ReportingComponent = component,
            ReportingInstance = Environment.MachineName,
        }, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (written.Count > 10_000)
        {
            written.Clear();
        }

        written[key] = new Written(name, 1, item.Time);
    }

    private sealed record Pending(V1ObjectReference Involved, string Type, string Reason, string Message, DateTimeOffset Time);

    private sealed record Written(string Name, int Count, DateTimeOffset Last);
}
