using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Packyard.Api.Resources;
using Packyard.Api.Schema;
using Packyard.Controllers;
using Packyard.Engine.Downloads;
using Packyard.Kubernetes;
using Packyard.Kubernetes.Models;

namespace Packyard.Operator;

/// <summary>
/// Writes the reconcilers' events as core/v1 Events on the objects they concern, in the background so a reconcile never
/// waits for the API. A repeat of the same event (object, type, reason, message) within <see cref="AggregationWindow"/>
/// bumps the existing Event's <c>count</c> and <c>lastTimestamp</c> with a merge patch instead of creating another, as
/// client-go's recorder does. Messages pass through the URL sanitiser (no user-info or query strings).
/// </summary>
public sealed class KubernetesEventRecorder(KubernetesClient client, TimeProvider time, ILogger<KubernetesEventRecorder> logger)
    : BackgroundService, IEventRecorder
{
    public static readonly TimeSpan AggregationWindow = TimeSpan.FromMinutes(10);
    private const string Component = "packyard-controller";
    private readonly Channel<Pending> pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Dictionary<string, Written> written = new(StringComparer.Ordinal);
    private volatile Func<string, string, string, string?>? uidOf;

    /// <summary>Where involvedObject.uid comes from (the leader's informer cache).</summary>
    public void UseUids(Func<string, string, string, string?>? lookup) => uidOf = lookup;

    public void Record(string kind, string ns, string name, bool warning, string reason, string message) =>
        pending.Writer.TryWrite(new Pending(kind, ns, name, uidOf?.Invoke(kind, ns, name), warning ? "Warning" : "Normal", reason, UrlSanitizer.Sanitize(message), time.GetUtcNow()));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var item in pending.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await WriteAsync(item, stoppingToken);
                }
                catch (Exception e) when (e is KubernetesApiException or HttpRequestException)
                {
                    OperatorLog.EventFailed(logger, item.Kind, item.Namespace, item.Name, item.Reason, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(Pending item, CancellationToken cancellationToken)
    {
        var key = string.Join('\u001f', item.Kind, item.Namespace, item.Name, item.Uid, item.Type, item.Reason, item.Message);
        if (written.TryGetValue(key, out var previous) && item.Time - previous.Last < AggregationWindow)
        {
            var count = previous.Count + 1;
            var patch = new JsonObject
            {
                ["count"] = count,
                ["lastTimestamp"] = Timestamp(item.Time),
            };
            try
            {
                await client.PatchAsync(KubernetesKinds.CoreEvent, item.Namespace, previous.Name, KubernetesPatch.Merge(patch), null, cancellationToken);
                written[key] = previous with { Count = count, Last = item.Time };
                return;
            }
            catch (KubernetesApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // The Event expired (the API server deletes events after an hour): create a new one.
            }
        }

        var name = $"{item.Name}.{(item.Time.ToUnixTimeMilliseconds() * 1_000_000).ToString("x", CultureInfo.InvariantCulture)}";
        await client.CreateAsync(KubernetesKinds.CoreEvent, new CoreEvent
        {
            Metadata = new ObjectMeta { Name = name, Namespace = item.Namespace },
            InvolvedObject = new ObjectReference { ApiVersion = PackyardGroup.ApiVersion, Kind = item.Kind, Namespace = item.Namespace, Name = item.Name, Uid = item.Uid },
            Reason = item.Reason,
            Message = item.Message,
            Type = item.Type,
            Source = new EventSource { Component = Component },
            FirstTimestamp = item.Time,
            LastTimestamp = item.Time,
            Count = 1,
            ReportingComponent = Component,
            ReportingInstance = Environment.MachineName,
        }, cancellationToken);
        if (written.Count > 10_000)
        {
            written.Clear();
        }

        written[key] = new Written(name, 1, item.Time);
    }

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record Pending(string Kind, string Namespace, string Name, string? Uid, string Type, string Reason, string Message, DateTimeOffset Time);

    private sealed record Written(string Name, int Count, DateTimeOffset Last);
}
