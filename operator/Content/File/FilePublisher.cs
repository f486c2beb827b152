using System.Text;
using Packyard.Plugins;

namespace Packyard.Content.File;

/// <summary>Publishes PULP_MANIFEST; the files themselves are served pass-through at their relative paths.</summary>
internal sealed class FilePublisher : IPublisher
{
    public bool PassThrough => true;

    public Task PublishAsync(PublishContext context, CancellationToken cancellationToken) =>
        context.AddFileAsync("PULP_MANIFEST", FileContentType.ManifestMediaType, async (output, token) =>
        {
            await using var writer = new StreamWriter(output, new UTF8Encoding(false), 65536) { NewLine = "\n" };
            await foreach (var unit in context.ReadContentAsync(token))
            {
                foreach (var artifact in unit.Artifacts)
                {
                    await writer.WriteLineAsync(new ManifestLine(artifact.RelativePath, artifact.Sha256, artifact.Size ?? 0).Format().AsMemory(), token);
                }
            }
        }, cancellationToken);
}
