using System.Text;

namespace Packyard.Content.Deb;

/// <summary>
/// <c>packyard.sources</c>: a ready-made deb822 sources file for <c>/etc/apt/sources.list.d/</c>, one stanza per published
/// distribution with its components, and the publication's public key inline in <c>Signed-By</c> (apt ≥ 2.3). The publisher
/// writes it with <see cref="UriPlaceholder"/> for the URL; <see cref="DebRoutes"/> serves it with the URL the client reached.
/// </summary>
internal static class DebSourcesFile
{
    public const string Path = "packyard.sources";

    /// <summary>The public key of a signed publication, ASCII-armored (as <c>signed-by</c> or <c>gpg --dearmor</c> take it).</summary>
    public const string PublicKeyPath = "key.asc";

    public const string UriPlaceholder = "@PACKYARD_URI@";

    public static string Write(IEnumerable<(string Distribution, DistributionLayout Layout)> distributions, string? armoredPublicKey)
    {
        var text = new StringBuilder();
        text.Append("# Packyard: save as /etc/apt/sources.list.d/packyard.sources, then apt-get update\n");
        if (armoredPublicKey is null)
        {
            text.Append("# The publication is not signed (the Repository has no spec.publish.signingKeySecretRef): apt accepts it only as Trusted.\n");
        }

        foreach (var (distribution, layout) in distributions)
        {
            text.Append('\n')
                .Append("Types: deb").Append(layout.SourceComponents.Count > 0 ? " deb-src" : "").Append('\n')
                .Append("URIs: ").Append(UriPlaceholder).Append('\n')
                .Append("Suites: ").Append(distribution).Append('\n')
                .Append("Components: ").AppendJoin(' ', layout.Components.Order(StringComparer.Ordinal)).Append('\n');
            if (armoredPublicKey is null)
            {
                text.Append("Trusted: yes\n");
                continue;
            }

            // deb822 continuation lines start with a space; an empty line of the key is written as " .".
            text.Append("Signed-By:\n");
            foreach (var line in armoredPublicKey.TrimEnd('\n').Split('\n'))
            {
                text.Append(' ').Append(line.Length == 0 ? "." : line).Append('\n');
            }
        }

        return text.ToString();
    }
}
