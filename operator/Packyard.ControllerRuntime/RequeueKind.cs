namespace Packyard.ControllerRuntime;

/// <summary>What a reconcile loop does with a key after its reconcile.</summary>
public enum RequeueKind
{
    /// <summary>Nothing until the key changes again (or the resync); its backoff is reset.</summary>
    Forget,

    /// <summary>Queued again at once; its backoff is kept.</summary>
    Now,

    /// <summary>Queued again after <see cref="Requeue.Delay"/>; its backoff is reset.</summary>
    After,

    /// <summary>Queued again after the key's backoff (base × 2^failures, capped).</summary>
    RateLimited,
}
