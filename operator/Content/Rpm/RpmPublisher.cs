using System.Globalization;
using System.Text;
using Packyard.Plugins;

namespace Packyard.Content.Rpm;

/// <summary>
/// Publishes a createrepo_c-compatible repository: <c>repodata/&lt;sha256&gt;-{primary,filelists,other}.xml.gz</c> from the
/// entries stored with each package, the carried updateinfo/comps/modules files at their stored paths, and
/// <c>repodata/repomd.xml</c> listing each with sha256 checksum, open-checksum, size, open-size and timestamp; with a
/// signing key also <c>repomd.xml.asc</c> (detached, armored) and <c>repomd.xml.key</c>. Packages are served
/// pass-through under <c>Packages/&lt;first letter&gt;/</c>.
/// </summary>
internal sealed class RpmPublisher : IPublisher
{
    public bool PassThrough => true;

    public async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("packyard-rpm-publish-").FullName;
        try
        {
            var carried = new List<(RpmUnitMetadata Metadata, PublishedArtifact Artifact)>();
            SpooledMetadata[] written;
            var primary = new MetadataSpool(folder, "primary", "metadata",
                $"xmlns=\"{RpmContentType.CommonNamespace}\" xmlns:rpm=\"{RpmContentType.RpmNamespace}\"");
            var filelists = new MetadataSpool(folder, "filelists", "filelists", $"xmlns=\"{RpmContentType.FilelistsNamespace}\"");
            var other = new MetadataSpool(folder, "other", "otherdata", $"xmlns=\"{RpmContentType.OtherNamespace}\"");
            await using (primary.ConfigureAwait(false))
            await using (filelists.ConfigureAwait(false))
            await using (other.ConfigureAwait(false))
            {
                await foreach (var unit in context.ReadContentAsync(cancellationToken).ConfigureAwait(false))
                {
                    var metadata = RpmContentType.ReadMetadata(unit.MetadataJson, unit.Id);
                    if (metadata.Kind == RpmUnitMetadata.RepodataKind && unit.Artifacts.Count == 1)
                    {
                        carried.Add((metadata, unit.Artifacts[0]));
                    }
                    else if (metadata is { Kind: RpmUnitMetadata.PackageKind, Primary: { } p, Filelists: { } f, Other: { } o })
                    {
                        await primary.AppendAsync(p, cancellationToken).ConfigureAwait(false);
                        await filelists.AppendAsync(f, cancellationToken).ConfigureAwait(false);
                        await other.AppendAsync(o, cancellationToken).ConfigureAwait(false);
                    }
                }

                written = [
                    await primary.CompleteAsync(cancellationToken).ConfigureAwait(false),
                    await filelists.CompleteAsync(cancellationToken).ConfigureAwait(false),
                    await other.CompleteAsync(cancellationToken).ConfigureAwait(false),
                ];
            }

            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var repomd = new StringBuilder();
            repomd.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .Append(CultureInfo.InvariantCulture, $"<repomd xmlns=\"{RpmContentType.RepoNamespace}\" xmlns:rpm=\"{RpmContentType.RpmNamespace}\">\n")
                .Append(CultureInfo.InvariantCulture, $"  <revision>{timestamp}</revision>\n");
            foreach (var file in written)
            {
                var path = $"repodata/{file.Sha256}-{file.Type}.xml.gz";
                await context.AddFileAsync(path, "application/gzip", (output, token) => CopyAsync(file.File, output, token), cancellationToken).ConfigureAwait(false);
                AppendData(repomd, file.Type, path, file.Sha256, file.Size, file.OpenSha256, file.OpenSize, timestamp);
            }

            foreach (var (metadata, artifact) in carried.OrderBy(c => c.Metadata.Type, StringComparer.Ordinal))
            {
                var compressed = metadata.OpenSha256 != artifact.Sha256;
                AppendData(repomd, metadata.Type!, artifact.RelativePath, artifact.Sha256, metadata.Size ?? artifact.Size ?? 0,
                    compressed ? metadata.OpenSha256 : null, compressed ? metadata.OpenSize : null, timestamp);
            }

            repomd.Append("</repomd>\n");
            var repomdBytes = Encoding.UTF8.GetBytes(repomd.ToString());
            await AddBytesAsync(context, "repodata/repomd.xml", "text/xml", repomdBytes, cancellationToken).ConfigureAwait(false);
            if (context.Options.SigningKey is { } key)
            {
                await AddBytesAsync(context, "repodata/repomd.xml.asc", "text/plain",
                    Encoding.ASCII.GetBytes(OpenPgp.DetachedSign(repomdBytes, key)), cancellationToken).ConfigureAwait(false);
                await AddBytesAsync(context, RpmRoutes.PublicKeyPath, "text/plain",
                    Encoding.ASCII.GetBytes(OpenPgp.ExportPublicKey(key)), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void AppendData(StringBuilder repomd, string type, string path, string sha256, long size, string? openSha256, long? openSize, long timestamp)
    {
        repomd.Append("  <data type=\"");
        RpmXml.Escape(repomd, type, attribute: true);
        repomd.Append("\">\n")
            .Append(CultureInfo.InvariantCulture, $"    <checksum type=\"sha256\">{sha256}</checksum>\n");
        if (openSha256 is not null)
        {
            repomd.Append(CultureInfo.InvariantCulture, $"    <open-checksum type=\"sha256\">{openSha256}</open-checksum>\n");
        }

        repomd.Append("    <location href=\"");
        RpmXml.Escape(repomd, path, attribute: true);
        repomd.Append("\"/>\n")
            .Append(CultureInfo.InvariantCulture, $"    <timestamp>{timestamp}</timestamp>\n")
            .Append(CultureInfo.InvariantCulture, $"    <size>{size}</size>\n");
        if (openSize is not null)
        {
            repomd.Append(CultureInfo.InvariantCulture, $"    <open-size>{openSize}</open-size>\n");
        }

        repomd.Append("  </data>\n");
    }

    private static Task AddBytesAsync(PublishContext context, string path, string mediaType, byte[] bytes, CancellationToken cancellationToken) =>
        context.AddFileAsync(path, mediaType, (output, token) => output.WriteAsync(bytes, token).AsTask(), cancellationToken);

    private static async Task CopyAsync(string file, Stream output, CancellationToken cancellationToken)
    {
        var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (input.ConfigureAwait(false))
        {
            await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }
    }
}
