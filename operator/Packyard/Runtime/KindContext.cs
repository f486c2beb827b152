using Packyard.Controllers;
using Packyard.Server;

namespace Packyard.Runtime;

/// <summary>What a kind's reconcile and cleanup use: the engine services, where objects come from and where status goes.</summary>
public sealed record KindContext(
    ReconcileServices Services,
    IResourceSource Source,
    IStatusSink Sink,
    IReconcileTrigger Trigger,
    RepositoryFinalizer RepositoryFinalizer,
    DistributionCache? DistributionCache);
