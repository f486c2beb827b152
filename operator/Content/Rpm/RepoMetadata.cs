using System.Globalization;
using System.Xml;
using Packyard.Plugins;

namespace Packyard.Content.Rpm;

/// <summary>One <c>&lt;data&gt;</c> entry of repomd.xml.</summary>
internal sealed record RepoDataEntry(string Type, string Href, string ChecksumType, string Checksum, long? Size, string? OpenChecksumType,
    string? OpenChecksum, long? OpenSize, long? Timestamp);

/// <summary>The parsed <c>repodata/repomd.xml</c>: its revision and data entries.</summary>
internal sealed record RepoMetadata(string? Revision, IReadOnlyList<RepoDataEntry> Data)
{
    public RepoDataEntry? Find(string type) => Data.FirstOrDefault(d => d.Type == type);

    public static async Task<RepoMetadata> ParseAsync(Stream input, string sourceName, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = RpmXml.CreateReader(input);
            string? revision = null;
            var data = new List<RepoDataEntry>();
            var sawRoot = false;
            var more = await reader.ReadAsync().ConfigureAwait(false);
            while (more)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 0)
                {
                    sawRoot = reader.LocalName == "repomd"
                        ? true
                        : throw new InvalidUpstreamMetadataException($"{sourceName} is not a repomd.xml (root element '{reader.Name}')");
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1 && reader.LocalName == "revision")
                {
                    // Reading the content leaves the reader on the node after the element.
                    revision = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    more = !reader.EOF;
                    continue;
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1 && reader.LocalName == "data")
                {
                    data.Add(await ReadDataAsync(reader, sourceName).ConfigureAwait(false));
                }

                more = await reader.ReadAsync().ConfigureAwait(false);
            }

            return sawRoot ? new RepoMetadata(revision, data) : throw new InvalidUpstreamMetadataException($"{sourceName} is empty");
        }
        catch (XmlException e)
        {
            throw RpmXml.Invalid(sourceName, e);
        }
    }

    private static async Task<RepoDataEntry> ReadDataAsync(XmlReader reader, string sourceName)
    {
        var type = reader.GetAttribute("type") ?? throw new InvalidUpstreamMetadataException($"{sourceName}: a <data> element has no type");
        string? href = null, checksumType = null, checksum = null, openType = null, openChecksum = null;
        long? size = null, openSize = null, timestamp = null;
        if (!reader.IsEmptyElement)
        {
            var depth = reader.Depth;
            await reader.ReadAsync().ConfigureAwait(false);
            while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
            {
                if (reader.NodeType != XmlNodeType.Element || reader.IsEmptyElement)
                {
                    href ??= reader.NodeType == XmlNodeType.Element && reader.LocalName == "location" ? reader.GetAttribute("href") : null;
                    await reader.ReadAsync().ConfigureAwait(false);
                    continue;
                }

                var name = reader.LocalName;
                var attribute = reader.GetAttribute(name == "location" ? "href" : "type");
                // Reading the content leaves the reader on the node after the element.
                var content = (await reader.ReadElementContentAsStringAsync().ConfigureAwait(false)).Trim();
                switch (name)
                {
                    case "location": href = attribute; break;
                    case "checksum": (checksumType, checksum) = (attribute, content); break;
                    case "open-checksum": (openType, openChecksum) = (attribute, content); break;
                    case "size": size = Number(content); break;
                    case "open-size": openSize = Number(content); break;
                    case "timestamp": timestamp = Number(content); break;
                }
            }
        }

        if (href is null || checksumType is null || checksum is null)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName}: <data type=\"{type}\"> lacks a location or checksum");
        }

        return new RepoDataEntry(type, href, checksumType, checksum, size, openType, openChecksum, openSize, timestamp);
    }

    private static long? Number(string text) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
