using Packyard.Plugins;

namespace Packyard.Content.Container;

/// <summary>The status page's client set-up for a container distribution: podman and docker pulls of <c>host/basePath:TAG</c>.</summary>
internal sealed class ContainerClientSetup : IClientSetup
{
    public IReadOnlyList<ClientSnippet> Describe(ClientSetupContext context)
    {
        var url = context.Url;
        var name = $"{url.Authority}{url.AbsolutePath.TrimEnd('/')}";
        var plain = url.Scheme == Uri.UriSchemeHttp;
        return
        [
            new(plain ? "podman (plain http: --tls-verify=false)" : "podman", $"podman pull {(plain ? "--tls-verify=false " : "")}{name}:TAG"),
            new(plain ? "docker (plain http: list the host under insecure-registries in /etc/docker/daemon.json)" : "docker", $"docker pull {name}:TAG"),
        ];
    }
}
