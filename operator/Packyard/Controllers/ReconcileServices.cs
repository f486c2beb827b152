using Packyard.Engine.Catalog;
using Packyard.Engine.Tasks;
using Packyard.Engine.Versions;

namespace Packyard.Controllers;

/// <summary>
/// The engine services reconcilers use, as the small ports the engine offers the controller role, and where they report. None
/// touches the artifact store: syncs, publishes and promotions are tasks for workers (<see cref="Syncs"/>, <see cref="Tasks"/>,
/// <see cref="Promotions"/>).
/// </summary>
/// <param name="Tasks">Publish tasks (Repository and pinned Distribution versions).</param>
public sealed record ReconcileServices(
    IRepositoryCatalog Catalog,
    IRemoteCatalog Remotes,
    IDistributionCatalog Distributions,
    IPublishTasks Tasks,
    IPromoteTasks Promotions,
    IVersionPruner Pruner,
    ISyncDispatcher Syncs,
    IEventRecorder Events,
    TimeProvider Time,
    ContentUrl ContentUrl,
    SyncRetryOptions Retry,
    Engine.Secrets.SecretCipher Secrets);
