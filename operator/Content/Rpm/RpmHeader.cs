using System.Buffers.Binary;
using System.Text;
using Packyard.Plugins;

namespace Packyard.Content.Rpm;

/// <summary>
/// The signature and main headers of an .rpm file, read from the start of the file without touching its payload: the
/// 96-byte lead, the signature header (padded to 8 bytes), then the main header whose byte range primary.xml lists.
/// </summary>
internal sealed class RpmHeader
{
    private const int LeadSize = 96;
    private static readonly byte[] LeadMagic = [0xed, 0xab, 0xee, 0xdb];
    private static readonly byte[] HeaderMagic = [0x8e, 0xad, 0xe8, 0x01];

    private readonly Dictionary<int, (int Type, int Offset, int Count)> entries;
    private readonly byte[] data;

    private RpmHeader(Dictionary<int, (int, int, int)> entries, byte[] data)
    {
        this.entries = entries;
        this.data = data;
    }

    /// <summary>The signature header.</summary>
    public RpmHeader Signature { get; private init; } = null!;

    /// <summary>Byte offsets of the main header in the file (rpm:header-range).</summary>
    public long Start { get; private init; }

    public long End { get; private init; }

    /// <summary>Reads lead, signature and main header; headers larger than <paramref name="maxHeaderBytes"/> are refused.</summary>
    public static async Task<RpmHeader> ReadAsync(Stream input, string fileName, int maxHeaderBytes, CancellationToken cancellationToken)
    {
        var lead = await ReadExactlyAsync(input, LeadSize, fileName, "lead", cancellationToken).ConfigureAwait(false);
        if (!lead.AsSpan(0, 4).SequenceEqual(LeadMagic))
        {
            throw new InvalidUploadException($"{fileName} is not an rpm package (no rpm lead)");
        }

        var (signature, signatureSize) = await ReadStructureAsync(input, fileName, "signature header", maxHeaderBytes, cancellationToken).ConfigureAwait(false);
        var padding = (8 - (signatureSize % 8)) % 8;
        await ReadExactlyAsync(input, padding, fileName, "signature padding", cancellationToken).ConfigureAwait(false);
        var start = LeadSize + signatureSize + padding;
        var (main, mainSize) = await ReadStructureAsync(input, fileName, "header", maxHeaderBytes, cancellationToken).ConfigureAwait(false);
        return new RpmHeader(main.entries, main.data) { Signature = signature, Start = start, End = start + mainSize };
    }

    private static async Task<(RpmHeader Header, int Size)> ReadStructureAsync(Stream input, string fileName, string what, int maxHeaderBytes, CancellationToken cancellationToken)
    {
        var intro = await ReadExactlyAsync(input, 16, fileName, what, cancellationToken).ConfigureAwait(false);
        if (!intro.AsSpan(0, 4).SequenceEqual(HeaderMagic))
        {
            throw new InvalidUploadException($"{fileName}: the rpm {what} has no header magic");
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(intro.AsSpan(8));
        var size = BinaryPrimitives.ReadInt32BigEndian(intro.AsSpan(12));
        if (count < 0 || size < 0 || (long)count * 16 + size > maxHeaderBytes)
        {
            throw new InvalidUploadException($"{fileName}: the rpm {what} declares {count} entries and {size} bytes, more than the {maxHeaderBytes} allowed");
        }

        var index = await ReadExactlyAsync(input, count * 16, fileName, what, cancellationToken).ConfigureAwait(false);
        var store = await ReadExactlyAsync(input, size, fileName, what, cancellationToken).ConfigureAwait(false);
        var entries = new Dictionary<int, (int, int, int)>();
        for (var i = 0; i < count; i++)
        {
            var entry = index.AsSpan(i * 16, 16);
            var (tag, type, offset, n) = (BinaryPrimitives.ReadInt32BigEndian(entry), BinaryPrimitives.ReadInt32BigEndian(entry[4..]),
                BinaryPrimitives.ReadInt32BigEndian(entry[8..]), BinaryPrimitives.ReadInt32BigEndian(entry[12..]));
            if (offset < 0 || offset > size || n < 0)
            {
                throw new InvalidUploadException($"{fileName}: the rpm {what} has an entry (tag {tag}) outside its data");
            }

            entries.TryAdd(tag, (type, offset, n));
        }

        return (new RpmHeader(entries, store), 16 + count * 16 + size);
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream input, int count, string fileName, string what, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        try
        {
            await input.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidUploadException($"{fileName} is truncated inside its rpm {what}: {e.Message}");
        }

        return buffer;
    }

    public bool Has(int tag) => entries.ContainsKey(tag);

    /// <summary>The bytes of a BIN entry, or null.</summary>
    public byte[]? Binary(int tag) =>
        entries.TryGetValue(tag, out var entry) && entry.Type == 7 && entry.Offset + (long)entry.Count <= data.Length
            ? data.AsSpan(entry.Offset, entry.Count).ToArray()
            : null;

    /// <summary>A STRING or the first of an I18NSTRING/STRING_ARRAY, or null.</summary>
    public string? String(int tag) => Strings(tag) is [var first, ..] ? first : null;

    public IReadOnlyList<string> Strings(int tag)
    {
        if (!entries.TryGetValue(tag, out var entry) || entry.Type is not (6 or 8 or 9))
        {
            return [];
        }

        var count = entry.Type == 6 ? 1 : entry.Count;
        var result = new List<string>(count);
        var position = entry.Offset;
        for (var i = 0; i < count; i++)
        {
            var end = Array.IndexOf(data, (byte)0, position);
            if (end < 0)
            {
                break;
            }

            result.Add(Encoding.UTF8.GetString(data, position, end - position));
            position = end + 1;
        }

        return result;
    }

    /// <summary>INT8/16/32/64 values of a tag as longs (INT16 unsigned, as file modes are).</summary>
    public IReadOnlyList<long> Numbers(int tag)
    {
        if (!entries.TryGetValue(tag, out var entry))
        {
            return [];
        }

        var width = entry.Type switch { 2 => 1, 3 => 2, 4 => 4, 5 => 8, _ => 0 };
        if (width == 0 || entry.Offset + (long)width * entry.Count > data.Length)
        {
            return [];
        }

        var result = new long[entry.Count];
        for (var i = 0; i < entry.Count; i++)
        {
            var span = data.AsSpan(entry.Offset + (i * width), width);
            result[i] = width switch
            {
                1 => span[0],
                2 => BinaryPrimitives.ReadUInt16BigEndian(span),
                4 => BinaryPrimitives.ReadUInt32BigEndian(span),
                _ => BinaryPrimitives.ReadInt64BigEndian(span),
            };
        }

        return result;
    }

    public long? Number(int tag) => Numbers(tag) is [var first, ..] ? first : null;
}
