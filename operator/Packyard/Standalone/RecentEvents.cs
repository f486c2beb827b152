using Packyard.Controllers;
using Packyard.Verbs;

namespace Packyard.Standalone;

/// <summary>
/// Standalone's events, printed by the console and kept (the newest <see cref="Capacity"/>) for <c>GET /api/v1/events</c> and
/// <c>packyard events</c>, as the API server keeps Events in a cluster.
/// </summary>
public sealed class RecentEvents(ConsoleReporter console, TimeProvider time) : IEventRecorder
{
    public const int Capacity = 1000;

    private readonly Lock gate = new();
    private readonly Queue<EventView> events = new();

    public void Record(string kind, string ns, string name, bool warning, string reason, string message)
    {
        console.Record(kind, ns, name, warning, reason, message);
        lock (gate)
        {
            events.Enqueue(new EventView(time.GetUtcNow(), warning ? "Warning" : "Normal", kind, ns, name, reason, message));
            while (events.Count > Capacity)
            {
                events.Dequeue();
            }
        }
    }

    /// <summary>The kept events, oldest first.</summary>
    public List<EventView> Snapshot()
    {
        lock (gate)
        {
            return [.. events];
        }
    }
}
