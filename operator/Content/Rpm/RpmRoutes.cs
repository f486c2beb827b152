using System.Text;
using Microsoft.AspNetCore.Http;
using Packyard.Plugins;

namespace Packyard.Content.Rpm;

/// <summary>
/// <c>config.repo</c>: a ready-made <c>/etc/yum.repos.d/</c> file for this distribution (or checkpoint), with the base
/// URL as the client reached it, <c>repo_gpgcheck</c> and <c>gpgkey</c> when the publication is signed.
/// </summary>
internal sealed class RpmRoutes : IContentRoutes
{
    public const string PublicKeyPath = "repodata/repomd.xml.key";

    public async Task<bool> TryServeAsync(ServeContext context, string path, CancellationToken cancellationToken)
    {
        if (path != "config.repo")
        {
            return false;
        }

        var request = context.Http.Request;
        var baseUrl = $"{request.Scheme}://{request.Host}{request.PathBase}/{context.BasePath}/";
        var key = await context.OpenPublishedFileAsync(PublicKeyPath, cancellationToken).ConfigureAwait(false);
        var signed = key is not null;
        if (key is not null)
        {
            await key.DisposeAsync().ConfigureAwait(false);
        }

        var id = new string([.. context.BasePath.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        var text = new StringBuilder()
            .Append('[').Append(id).Append("]\n")
            .Append("name=").Append(context.BasePath).Append(" (Packyard)\n")
            .Append("baseurl=").Append(baseUrl).Append('\n')
            .Append("enabled=1\n")
            // Packages keep their vendors' signatures, whose keys Packyard does not know; the signed repomd.xml lists every package's sha256.
            .Append("gpgcheck=0\n")
            .Append("repo_gpgcheck=").Append(signed ? '1' : '0').Append('\n');
        if (signed)
        {
            text.Append("gpgkey=").Append(baseUrl).Append(PublicKeyPath).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        context.Http.Response.ContentType = "text/plain; charset=utf-8";
        context.Http.Response.ContentLength = bytes.Length;
        await context.Http.Response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
