using Packyard.Plugins;

namespace Packyard.Content.File;

/// <summary>The status page's client set-up for a file distribution: curl for <c>PULP_MANIFEST</c> and a file.</summary>
internal sealed class FileClientSetup : IClientSetup
{
    public IReadOnlyList<ClientSnippet> Describe(ClientSetupContext context) =>
    [
        new("curl: the file list (relative_path,sha256,size), then a file", $"curl -fsSL {context.Url}PULP_MANIFEST\ncurl -fsSLO {context.Url}PATH"),
    ];
}
