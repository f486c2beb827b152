using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>
/// Reads the control file of a .deb and checks the whole package without unpacking it: walks the <c>ar</c> archive
/// member by member, requires <c>debian-binary</c>, <c>control.tar[.gz|.xz|.zst]</c> and <c>data.tar[…]</c> in that
/// order, each member complete, and decompresses and walks both tar archives to their end, streaming and bounded, so a
/// cut or corrupt package is refused rather than published.
/// </summary>
internal static class DebPackageReader
{
    private const int MaxControlBytes = 1 << 20;
    private const long MaxControlTarBytes = 64L << 20;

    /// <summary>The largest unpacked data.tar accepted; it is only read through, never kept.</summary>
    private const long MaxDataTarBytes = 64L << 30;

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
        var sawData = false;
        ControlStanza? control = null;
        int got;
        while ((got = await ReadFullyAsync(deb, header, cancellationToken)) > 0)
        {
            if (got != 60)
            {
                throw new InvalidUploadException($"{fileName} is cut: it ends inside an ar member header");
            }

            var name = Encoding.ASCII.GetString(header, 0, 16).TrimEnd(' ').TrimEnd('/');
            if (!long.TryParse(Encoding.ASCII.GetString(header, 48, 10).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                || header[58] != '`' || header[59] != '\n')
            {
                throw new InvalidUploadException($"{fileName}: corrupt ar member header");
            }

            var member = new SubStream(deb, size, $"{fileName} is cut: ar member '{name}' ends before its {size} bytes");
            if (name == "debian-binary")
            {
                var version = new byte[Math.Min(size, 16)];
                await ReadFullyAsync(member, version, cancellationToken);
                if (!Encoding.ASCII.GetString(version).StartsWith("2.", StringComparison.Ordinal))
                {
                    throw new InvalidUploadException($"{fileName}: unsupported package format {Encoding.ASCII.GetString(version).Trim()}");
                }

                sawBinary = true;
            }
            else if (name.StartsWith("control.tar", StringComparison.Ordinal))
            {
                if (!sawBinary)
                {
                    throw new InvalidUploadException($"{fileName}: control.tar comes before debian-binary");
                }

                control = await ReadMemberTarAsync(member, name, "control.tar".Length, MaxControlTarBytes, fileName,
                    (tar, token) => ReadControlFromTarAsync(tar, fileName, token), cancellationToken);
            }
            else if (name.StartsWith("data.tar", StringComparison.Ordinal))
            {
                if (control is null)
                {
                    throw new InvalidUploadException($"{fileName}: data.tar comes before control.tar");
                }

                await ReadMemberTarAsync<object?>(member, name, "data.tar".Length, MaxDataTarBytes, fileName,
                    async (tar, token) =>
                    {
                        await WalkTarAsync(tar, token).ConfigureAwait(false);
                        return null;
                    }, cancellationToken);
                sawData = true;
            }

            await SkipAsync(member, long.MaxValue, cancellationToken);

            if ((size & 1) != 0)
            {
                await SkipAsync(deb, 1, cancellationToken);
            }
        }

        if (control is null)
        {
            throw new InvalidUploadException($"{fileName} has no control.tar member");
        }

        return sawData
            ? control
            : throw new InvalidUploadException($"{fileName} has no data.tar member: the package is incomplete");
    }

    /// <summary>Decompresses an ar member (by its name's suffix after <paramref name="prefixLength"/>) and lets <paramref name="read"/> walk the tar.</summary>
    private static async Task<T> ReadMemberTarAsync<T>(Stream member, string name, int prefixLength, long maxBytes, string fileName,
        Func<Stream, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            var plain = DebCompression.OpenRead(member, name[prefixLength..], maxBytes, $"{fileName}/{name}");
            await using (plain.ConfigureAwait(false))
            {
                var result = await read(plain, cancellationToken).ConfigureAwait(false);
                // The tar's end-of-archive blocks may leave compressed bytes unread: the decompressor must still see its stream end.
                await SkipAsync(plain, long.MaxValue, cancellationToken).ConfigureAwait(false);
                return result;
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

    /// <summary>Reads every entry of a tar archive to its end (the entries' data is skipped, not kept).</summary>
    private static async Task WalkTarAsync(Stream tar, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                await SkipAsync(data, long.MaxValue, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<ControlStanza> ReadControlFromTarAsync(Stream tar, string fileName, CancellationToken cancellationToken)
    {
        ControlStanza? stanza = null;
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            if (name != "control" || entry.DataStream is null || stanza is not null)
            {
                continue;
            }

            if (entry.Length > MaxControlBytes)
            {
                throw new InvalidUploadException($"{fileName}: control file larger than {MaxControlBytes} bytes");
            }

            stanza = await ControlFileReader.ReadSingleAsync(entry.DataStream, $"{fileName}/control", new ControlFileLimits(MaxStanzaBytes: MaxControlBytes), cancellationToken);
        }

        return stanza ?? throw new InvalidUploadException($"{fileName}: control.tar holds no control file");
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

    /// <summary>
    /// A window of <paramref name="length"/> bytes of an ar member, not owning the archive stream. The archive ending
    /// before the window does is a cut package: reading throws <paramref name="cutMessage"/>.
    /// </summary>
    private sealed class SubStream(Stream inner, long length, string cutMessage) : Stream
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
            var wanted = (int)Math.Min(buffer.Length, remaining);
            var read = inner.Read(buffer[..wanted]);
            return Advance(wanted, read);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var wanted = (int)Math.Min(buffer.Length, remaining);
            var read = await inner.ReadAsync(buffer[..wanted], cancellationToken).ConfigureAwait(false);
            return Advance(wanted, read);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Advance(int wanted, int read)
        {
            if (read == 0 && wanted > 0)
            {
                throw new InvalidUploadException(cutMessage);
            }

            remaining -= read;
            return read;
        }
    }
}
