using Packyard.Api.Resources;

namespace Packyard.StatusPage;

/// <summary>
/// The client set-up the status page prints for a Distribution, per content type: apt with the served deb822
/// <c>packyard.sources</c> (its public key inline in <c>Signed-By</c>; <c>key.asc</c> beside it), dnf with the served
/// <c>config.repo</c>, pip with the PEP 503 index and twine with <c>legacy/</c>, curl for files, docker/podman for containers.
/// Commands run as root where they write system folders (no sudo assumed); capitals such as <c>PROJECT</c> are placeholders.
/// </summary>
public static class ClientSetup
{
    public static IReadOnlyList<ClientSnippet> For(ContentType type, Uri url, string distributionName, bool uploads) => type switch
    {
        ContentType.Deb =>
        [
            new("apt (as root): a deb822 sources file with the repository's public key in Signed-By",
                $"curl -fsSL -o /etc/apt/sources.list.d/{distributionName}.sources {url}packyard.sources\napt-get update"),
            new("The public key alone, for a one-line entry: deb [signed-by=/etc/apt/keyrings/KEY.asc] URL SUITE COMPONENT",
                $"curl -fsSL -o /etc/apt/keyrings/{distributionName}.asc {url}key.asc"),
        ],
        ContentType.Rpm =>
        [
            new("dnf (as root): the served .repo file",
                $"curl -fsSL -o /etc/yum.repos.d/{distributionName}.repo {url}config.repo\ndnf install PACKAGE"),
        ],
        ContentType.Python => uploads
            ?
            [
                new("pip", $"pip install --index-url {url}simple/ PROJECT"),
                new("twine (user __token__, the upload token as password)", $"twine upload --repository-url {url}legacy/ dist/*"),
            ]
            : [new("pip", $"pip install --index-url {url}simple/ PROJECT")],
        ContentType.File =>
        [
            new("curl: the file list (relative_path,sha256,size), then a file", $"curl -fsSL {url}PULP_MANIFEST\ncurl -fsSLO {url}PATH"),
        ],
        ContentType.Container => ContainerSnippets(url),
        _ => [],
    };

    private static IReadOnlyList<ClientSnippet> ContainerSnippets(Uri url)
    {
        var name = $"{url.Authority}{url.AbsolutePath.TrimEnd('/')}";
        var plain = url.Scheme == Uri.UriSchemeHttp;
        return
        [
            new(plain ? "podman (plain http: --tls-verify=false)" : "podman", $"podman pull {(plain ? "--tls-verify=false " : "")}{name}:TAG"),
            new(plain ? "docker (plain http: list the host under insecure-registries in /etc/docker/daemon.json)" : "docker", $"docker pull {name}:TAG"),
        ];
    }
}
