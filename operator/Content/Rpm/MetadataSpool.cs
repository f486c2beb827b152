using System.Security.Cryptography;
using System.Text;
using Packyard.Plugins.Compression;

namespace Packyard.Content.Rpm;

/// <summary>A written metadata file: where it is on disk and the digests and sizes repomd.xml lists for it.</summary>
internal sealed record SpooledMetadata(string Type, string File, string Sha256, long Size, string OpenSha256, long OpenSize);

/// <summary>
/// The body of one of primary, filelists or other while a version is read (entries appended to a temporary file), then
/// the compressed document with its root element, whose <c>packages</c> count is known only at the end.
/// </summary>
internal sealed class MetadataSpool(string folder, string type, string rootElement, string namespaces) : IAsyncDisposable
{
    private readonly string bodyPath = Path.Combine(folder, type + ".body");
    private StreamWriter? writer;

    public long Count { get; private set; }

    public async Task AppendAsync(string entry, CancellationToken cancellationToken)
    {
        writer ??= new StreamWriter(bodyPath, false, new UTF8Encoding(false), 65536);
        await writer.WriteAsync(entry.AsMemory(), cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync('\n').ConfigureAwait(false);
        Count++;
    }

    /// <summary>Writes <c>&lt;type&gt;.xml.gz</c>: the XML declaration, the root with the package count, the entries, the end tag.</summary>
    public async Task<SpooledMetadata> CompleteAsync(CancellationToken cancellationToken)
    {
        if (writer is not null)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            writer = null;
        }

        var target = Path.Combine(folder, type + ".xml.gz");
        using var openHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long openSize = 0;
        var output = File.Create(target);
        await using (output.ConfigureAwait(false))
        {
            var compressing = Compression.Create(output, CompressionFormat.Gzip, leaveOpen: true);
            await using (compressing.ConfigureAwait(false))
            {
                async Task WriteAsync(ReadOnlyMemory<byte> bytes)
                {
                    openHash.AppendData(bytes.Span);
                    openSize += bytes.Length;
                    await compressing.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                }

                await WriteAsync(Encoding.UTF8.GetBytes(
                    $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{rootElement} {namespaces} packages=\"{Count}\">\n")).ConfigureAwait(false);
                if (File.Exists(bodyPath))
                {
                    var input = new FileStream(bodyPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
                    await using (input.ConfigureAwait(false))
                    {
                        var buffer = new byte[81920];
                        int read;
                        while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            await WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                        }
                    }
                }

                await WriteAsync(Encoding.UTF8.GetBytes($"</{rootElement}>\n")).ConfigureAwait(false);
            }
        }

        var (sha256, size) = await HashFileAsync(target, cancellationToken).ConfigureAwait(false);
        return new SpooledMetadata(type, target, sha256, size, Convert.ToHexStringLower(openHash.GetHashAndReset()), openSize);
    }

    private static async Task<(string Sha256, long Size)> HashFileAsync(string file, CancellationToken cancellationToken)
    {
        var input = File.OpenRead(file);
        await using (input.ConfigureAwait(false))
        {
            var digest = await SHA256.HashDataAsync(input, cancellationToken).ConfigureAwait(false);
            return (Convert.ToHexStringLower(digest), input.Length);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (writer is not null)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
