using Packyard.Plugins;

namespace Packyard.Content.Container;

/// <summary>
/// The status page's client set-up for a container distribution: podman and docker pulls of <c>host/basePath:TAG</c>; for a
/// pull-through distribution of a whole registry (its Remote has no <c>upstreamName</c>), pulls of
/// <c>host/basePath/REPOSITORY:TAG</c> and the mirror configuration that sends a node's pulls of that registry here: containerd's
/// <c>hosts.toml</c> (answered through <c>?ns=</c>) and the <c>registries.conf</c> of podman and CRI-O.
/// </summary>
internal sealed class ContainerClientSetup : IClientSetup
{
    public IReadOnlyList<ClientSnippet> Describe(ClientSetupContext context)
    {
        var url = context.Url;
        var name = $"{url.Authority}{url.AbsolutePath.TrimEnd('/')}";
        var plain = url.Scheme == Uri.UriSchemeHttp;
        var wholeRegistry = context.PullThroughRemote is { } remote && remote.Container?.UpstreamName is null && Uri.TryCreate(remote.Url, UriKind.Absolute, out _);
        var image = wholeRegistry ? $"{name}/REPOSITORY:TAG" : $"{name}:TAG";
        List<ClientSnippet> snippets =
        [
            new(plain ? "podman (plain http: --tls-verify=false)" : "podman", $"podman pull {(plain ? "--tls-verify=false " : "")}{image}"),
            new(plain ? "docker (plain http: list the host under insecure-registries in /etc/docker/daemon.json)" : "docker", $"docker pull {image}"),
        ];
        if (wholeRegistry)
        {
            var upstream = new Uri(context.PullThroughRemote!.Url);
            var registry = RegistryMirror.Host(upstream);
            snippets.Add(new($"containerd: /etc/containerd/certs.d/{registry}/hosts.toml",
                $"server = \"{upstream.GetLeftPart(UriPartial.Authority)}\"\n\n[host.\"{url.GetLeftPart(UriPartial.Authority)}\"]\n  capabilities = [\"pull\", \"resolve\"]"));
            snippets.Add(new("podman, CRI-O: /etc/containers/registries.conf",
                $"[[registry]]\nprefix = \"{registry}\"\nlocation = \"{upstream.Authority}\"\n\n[[registry.mirror]]\nlocation = \"{name}\"{(plain ? "\ninsecure = true" : "")}"));
        }

        return snippets;
    }
}
