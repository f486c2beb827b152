using Packyard.Engine.Catalog;
using Packyard.Engine.Tasks;
using Packyard.Engine.Versions;

namespace Packyard.Controllers;

/// <summary>
/// The engine services reconcilers use, and where they report. None touches the artifact store: syncs, publishes and
/// promotions are tasks for workers (<see cref="Syncs"/>, <see cref="Tasks"/>).
/// </summary>
public sealed record ReconcileServices(
    EngineCatalog Catalog,
    TaskQueue Tasks,
    VersionPruner Pruner,
    ISyncDispatcher Syncs,
    IEventRecorder Events,
    TimeProvider Time,
    ContentUrl ContentUrl,
    SyncRetryOptions Retry,
    Engine.Secrets.SecretCipher Secrets);

/// <summary>The public base URL distributions are served under (e.g. http://127.0.0.1:8080/).</summary>
public sealed record ContentUrl(string BaseUrl)
{
    public string For(string basePath) => BaseUrl.TrimEnd('/') + "/" + basePath + "/";
}

/// <summary>Asks for another resource to be reconciled (a Repository after an upload, a target after a promotion).</summary>
public interface IReconcileTrigger
{
    void Enqueue(string kind, string ns, string name);
}
