using Packyard.Engine.Tasks;

namespace Packyard.Tests.Controllers.Fakes;

/// <summary>
/// The publish and promote task ports in memory, with TaskQueue's rules: one queued task per kind and key (queuing again
/// updates its args), finished outcomes taken once. <see cref="Start"/> and <see cref="Finish"/> play the worker.
/// </summary>
internal sealed class InMemoryTaskQueue(TimeProvider time) : IPublishTasks, IPromoteTasks
{
    private long nextId = 1;

    private readonly List<OpenTask> open = [];
    private readonly Dictionary<(string Kind, string Key), List<object>> finished = [];
    private readonly Dictionary<string, (PromoteTaskArgs Args, PromoteReport Report)> lastPromoted = [];

    /// <summary>Every publish queued (or re-queued), in order, with the resource notified when it changes.</summary>
    public List<(long RepositoryId, PublishTaskArgs Args, string Notify)> Publishes { get; } = [];

    /// <summary>Every promotion queued (or re-queued), in order.</summary>
    public List<(long TargetId, PromoteTaskArgs Args)> Promotions { get; } = [];

    public Task<IReadOnlyList<TaskTicket>> FindOpenAsync(string kind, string key, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TaskTicket>>([.. open.Where(t => t.Ticket.Kind == kind && t.Key == key).Select(t => t.Ticket)]);

    public Task<TaskTicket> EnqueuePublishAsync(long repositoryId, PublishTaskArgs args, string notify, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        Publishes.Add((repositoryId, args, notify));
        return Task.FromResult(Enqueue(TaskKinds.Publish, TaskQueue.PublishKey(repositoryId, args.Version), args));
    }

    public Task<TaskTicket> EnqueuePromoteAsync(long targetId, PromoteTaskArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        Promotions.Add((targetId, args));
        return Task.FromResult(Enqueue(TaskKinds.Promote, args.Promotion, args));
    }

    public Task<PublishReport?> TakeFinishedPublishAsync(long repositoryId, long version, CancellationToken cancellationToken) =>
        Task.FromResult((PublishReport?)Take(TaskKinds.Publish, TaskQueue.PublishKey(repositoryId, version)));

    public Task<(PromoteTaskArgs Args, PromoteReport Report)?> TakeFinishedPromoteAsync(string promotion, CancellationToken cancellationToken) =>
        Task.FromResult((ValueTuple<PromoteTaskArgs, PromoteReport>?)Take(TaskKinds.Promote, promotion));

    public Task<(PromoteTaskArgs Args, PromoteReport Report)?> FindLastPromotedAsync(string promotion, CancellationToken cancellationToken) =>
        Task.FromResult(lastPromoted.TryGetValue(promotion, out var last) ? ((PromoteTaskArgs, PromoteReport)?)last : null);

    /// <summary>A worker claims the open task of <paramref name="kind"/> and <paramref name="key"/>.</summary>
    public void Start(string kind, string key)
    {
        var task = open.Single(t => t.Ticket.Kind == kind && t.Key == key && !t.Ticket.Running);
        open[open.IndexOf(task)] = task with { Ticket = task.Ticket with { Running = true, Worker = "worker-1", Since = time.GetUtcNow() } };
    }

    /// <summary>A worker ends the open publish of the version: succeeded or failed with the reason and message.</summary>
    public PublishTaskArgs FinishPublish(long repositoryId, long version, bool succeeded, string? reason = null, string? message = null) =>
        (PublishTaskArgs)Finish(TaskKinds.Publish, TaskQueue.PublishKey(repositoryId, version), new PublishReport(succeeded, version, reason, message));

    /// <summary>A worker ends the open promotion with <paramref name="report"/>.</summary>
    public PromoteTaskArgs FinishPromote(string promotion, PromoteReport report)
    {
        var args = (PromoteTaskArgs)Finish(TaskKinds.Promote, promotion, null);
        Outcomes(TaskKinds.Promote, promotion).Add((args, report));
        if (report.Succeeded)
        {
            lastPromoted[promotion] = (args, report);
        }

        return args;
    }

    private TaskTicket Enqueue(string kind, string key, object args)
    {
        var queued = open.FirstOrDefault(t => t.Ticket.Kind == kind && t.Key == key && !t.Ticket.Running);
        if (queued is not null)
        {
            open[open.IndexOf(queued)] = queued with { Args = args };
            return queued.Ticket;
        }

        var task = new OpenTask(key, new TaskTicket(nextId++, kind, false, null, time.GetUtcNow()), args);
        open.Add(task);
        return task.Ticket;
    }

    private object Finish(string kind, string key, object? report)
    {
        var task = open.First(t => t.Ticket.Kind == kind && t.Key == key);
        open.Remove(task);
        if (report is not null)
        {
            Outcomes(kind, key).Add(report);
        }

        return task.Args;
    }

    /// <summary>The newest finished outcome not taken yet; taking it marks every finished one reported, as TaskQueue does.</summary>
    private object? Take(string kind, string key)
    {
        if (!finished.TryGetValue((kind, key), out var outcomes) || outcomes.Count == 0)
        {
            return null;
        }

        var newest = outcomes[^1];
        outcomes.Clear();
        return newest;
    }

    private List<object> Outcomes(string kind, string key)
    {
        if (!finished.TryGetValue((kind, key), out var outcomes))
        {
            finished[(kind, key)] = outcomes = [];
        }

        return outcomes;
    }

    private sealed record OpenTask(string Key, TaskTicket Ticket, object Args);
}
