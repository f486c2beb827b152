using System.Text;
using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>Serves <see cref="DebSourcesFile.Path"/> with the distribution's URL as the client reached it (host, base path or checkpoint).</summary>
internal sealed class DebRoutes : IContentRoutes
{
    /// <summary>The published template is a few kilobytes (a key per distribution); anything larger is not one.</summary>
    private const int MaxTemplateBytes = 1 << 20;

    public async Task<bool> TryServeAsync(ServeContext context, string path, CancellationToken cancellationToken)
    {
        if (path != DebSourcesFile.Path)
        {
            return false;
        }

        var template = await context.OpenPublishedFileAsync(DebSourcesFile.Path, cancellationToken).ConfigureAwait(false);
        if (template is null)
        {
            return false; // published before the file existed
        }

        string text;
        await using (template.ConfigureAwait(false))
        {
            using var reader = new StreamReader(template, Encoding.UTF8);
            var buffer = new char[MaxTemplateBytes];
            var read = await reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false);
            text = new string(buffer, 0, read);
        }

        var request = context.Http.Request;
        var uri = $"{request.Scheme}://{request.Host}{request.PathBase}/{context.BasePath}/";
        var bytes = Encoding.UTF8.GetBytes(text.Replace(DebSourcesFile.UriPlaceholder, uri, StringComparison.Ordinal));
        context.Http.Response.ContentType = "text/plain; charset=utf-8";
        context.Http.Response.ContentLength = bytes.Length;
        await context.Http.Response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
