namespace Packyard.Tests.Runtime;

/// <summary><see cref="KindBehaviourTests"/> with the manifests folder as the resource source (<c>packyard run</c>).</summary>
public sealed class StandaloneKindBehaviourTests : KindBehaviourTests
{
    protected override async Task<IModeDriver> StartAsync(string name) => await StandaloneDriver.StartAsync(name);
}
