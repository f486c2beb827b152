using Packyard.Plugins;

namespace Packyard.Content.Rpm;

/// <summary>The status page's client set-up for a rpm distribution: dnf with the served <c>config.repo</c>.</summary>
internal sealed class RpmClientSetup : IClientSetup
{
    public IReadOnlyList<ClientSnippet> Describe(ClientSetupContext context) =>
    [
        new("dnf (as root): the served .repo file",
            $"curl -fsSL -o /etc/yum.repos.d/{context.DistributionName}.repo {context.Url}config.repo\ndnf install PACKAGE"),
    ];
}
