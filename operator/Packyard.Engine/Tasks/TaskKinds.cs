namespace Packyard.Engine.Tasks;

/// <summary>The kinds of engine work a worker claims from the task queue (tasks.kind).</summary>
public static class TaskKinds
{
    /// <summary>Sync a repository from its Remote (<see cref="SyncTaskArgs"/>).</summary>
    public const string Sync = "sync";

    /// <summary>Publish a repository version (<see cref="PublishTaskArgs"/>).</summary>
    public const string Publish = "publish";

    /// <summary>Promote content from one repository into another (<see cref="PromoteTaskArgs"/>); holds the target's lock.</summary>
    public const string Promote = "promote";

    /// <summary>Orphan cleanup: reclaim what nothing references any more. Global; excludes every other task while it runs.</summary>
    public const string Reclaim = "reclaim";
}
