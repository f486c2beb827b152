namespace Packyard.Tests.Runtime;

/// <summary><see cref="KindBehaviourTests"/> with Kubernetes watches as the resource source (<c>packyard operator</c> on the real kube-apiserver).</summary>
public sealed class OperatorKindBehaviourTests : KindBehaviourTests
{
    protected override async Task<IModeDriver> StartAsync(string name) => await OperatorDriver.StartAsync(name);
}
