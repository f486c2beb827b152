using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>The status page's client set-up for a deb distribution: apt with the served deb822 <c>packyard.sources</c> (the public key inline in <c>Signed-By</c>), and <c>key.asc</c> alone.</summary>
internal sealed class DebClientSetup : IClientSetup
{
    public IReadOnlyList<ClientSnippet> Describe(ClientSetupContext context) =>
    [
        new("apt (as root): a deb822 sources file with the repository's public key in Signed-By",
            $"curl -fsSL -o /etc/apt/sources.list.d/{context.DistributionName}.sources {context.Url}{DebSourcesFile.Path}\napt-get update"),
        new("The public key alone, for a one-line entry: deb [signed-by=/etc/apt/keyrings/KEY.asc] URL SUITE COMPONENT",
            $"curl -fsSL -o /etc/apt/keyrings/{context.DistributionName}.asc {context.Url}{DebSourcesFile.PublicKeyPath}"),
    ];
}
