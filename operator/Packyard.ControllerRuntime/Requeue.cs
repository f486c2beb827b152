namespace Packyard.ControllerRuntime;

/// <summary>A reconcile's answer to the loop: when to reconcile the key again.</summary>
public readonly record struct Requeue(RequeueKind Kind, TimeSpan Delay = default)
{
    public static Requeue Forget { get; } = new(RequeueKind.Forget);

    public static Requeue Now { get; } = new(RequeueKind.Now);

    public static Requeue RateLimited { get; } = new(RequeueKind.RateLimited);

    public static Requeue After(TimeSpan delay) => new(RequeueKind.After, delay);

    public override string ToString() => Kind == RequeueKind.After ? $"after {Delay}" : Kind.ToString();
}
