using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Packyard.Engine.Downloads;

namespace Packyard.Content.Deb;

/// <summary>
/// Reads the control file of a .deb without unpacking it: walks the <c>ar</c> archive member by member and decompresses
/// only <c>control.tar[.gz|.xz|.zst]</c>, streaming and bounded.
/// </summary>
internal static class DebPackageReader
{
    private const int MaxControlBytes = 1 << 20;
    private const long MaxControlTarBytes = 64L << 20;
    private static readonly byte[] ArMagic = "!<arch>\n"u8.ToArray();

    public static async Task<ControlStanza> ReadControlAsync(Stream deb, string fileName, CancellationToken cancellationToken)
    {
        var magic = new byte[8];
        if (await ReadFullyAsync(deb, magic, cancellationToken) != 8 || !magic.AsSpan().SequenceEqual(ArMagic))
        {
            throw new InvalidUploadException($"{fileName} is not a Debian package (no ar archive header)");
        }

        var header = new byte[60];
        var sawBinary = false;
        while (await ReadFullyAsync(deb, header, cancellationToken) == 60)
        {
            var name = Encoding.ASCII.GetString(header, 0, 16).TrimEnd(' ').TrimEnd('/');
            if (!long.TryParse(Encoding.ASCII.GetString(header, 48, 10).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                || header[58] != '`' || header[59] != '\n')
            {
                throw new InvalidUploadException($"{fileName}: corrupt ar member header");
            }

            if (name == "debian-binary")
            {
                var version = new byte[Math.Min(size, 16)];
                await ReadFullyAsync(deb, version, cancellationToken);
                await SkipAsync(deb, size - version.Length + (size & 1), cancellationToken);
                if (!Encoding.ASCII.GetString(version).StartsWith("2.", StringComparison.Ordinal))
                {
                    throw new InvalidUploadException($"{fileName}: unsupported package format {Encoding.ASCII.GetString(version).Trim()}");
                }

                sawBinary = true;
                continue;
            }

            if (name.StartsWith("control.tar", StringComparison.Ordinal))
            {
                if (!sawBinary)
                {
                    throw new InvalidUploadException($"{fileName}: control.tar comes before debian-binary");
                }

                var member = new SubStream(deb, size);
                var suffix = name["control.tar".Length..];
                Stream plain;
                try
                {
                    plain = DebCompression.OpenRead(member, suffix, MaxControlTarBytes, $"{fileName}/{name}");
                }
                catch (InvalidUpstreamMetadataException e)
                {
                    throw new InvalidUploadException(e.Message);
                }

                try
                {
                    await using (plain)
                    {
                        return await ReadControlFromTarAsync(plain, fileName, cancellationToken);
                    }
                }
                catch (InvalidUploadException)
                {
                    throw;
                }
                catch (Exception e) when (e is InvalidUpstreamMetadataException or InvalidDataException or FormatException or EndOfStreamException)
                {
                    throw new InvalidUploadException($"{fileName}: {name} cannot be read: {e.Message}");
                }
            }

            await SkipAsync(deb, size + (size & 1), cancellationToken);
        }

        throw new InvalidUploadException($"{fileName} has no control.tar member");
    }

    private static async Task<ControlStanza> ReadControlFromTarAsync(Stream tar, string fileName, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            if (name != "control" || entry.DataStream is null)
            {
                continue;
            }

            if (entry.Length > MaxControlBytes)
            {
                throw new InvalidUploadException($"{fileName}: control file larger than {MaxControlBytes} bytes");
            }

            var stanza = await ControlFileReader.ReadSingleAsync(entry.DataStream, $"{fileName}/control", new ControlFileLimits(MaxStanzaBytes: MaxControlBytes), cancellationToken);
            return stanza;
        }

        throw new InvalidUploadException($"{fileName}: control.tar holds no control file");
    }

    private static async Task<int> ReadFullyAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        if (stream.CanSeek)
        {
            stream.Seek(Math.Min(count, stream.Length - stream.Position), SeekOrigin.Current);
            return;
        }

        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0)
            {
                return;
            }

            count -= read;
        }
    }

    /// <summary>A window of <paramref name="length"/> bytes of an ar member, not owning the archive stream.</summary>
    private sealed class SubStream(Stream inner, long length) : Stream
    {
        private long remaining = length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, remaining)]);
            remaining -= read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, remaining)], cancellationToken).ConfigureAwait(false);
            remaining -= read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
