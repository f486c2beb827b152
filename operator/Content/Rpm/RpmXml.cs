using System.Text;
using System.Xml;
using Packyard.Plugins;

namespace Packyard.Content.Rpm;

/// <summary>
/// Reading and writing repository XML. Readers never process a DTD (no entity expansion, no XML bombs) and resolve
/// nothing external; element entries are copied as text without namespace declarations, with the prefixes the
/// metadata formats use (<c>rpm:</c>), so they can be stored per unit and written back into any document.
/// </summary>
internal static class RpmXml
{
    public static XmlReader CreateReader(Stream input) => XmlReader.Create(input, new XmlReaderSettings
    {
        Async = true,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreWhitespace = true,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    });

    /// <summary>The error for malformed or refused XML (a DTD, an entity) in <paramref name="sourceName"/>.</summary>
    public static InvalidUpstreamMetadataException Invalid(string sourceName, XmlException e) =>
        new($"{sourceName} is not acceptable XML: {e.Message}", e);

    /// <summary>
    /// Copies the element the reader is on, with its content, as text into <paramref name="output"/>, and leaves the
    /// reader after its end. <paramref name="visit"/> sees each element (depth relative to the copied one, local name,
    /// reader on the element) and may return attribute values to replace (null value: drop the attribute).
    /// <paramref name="text"/> receives each text node with the local name and depth of its parent.
    /// </summary>
    public static async Task CopyElementAsync(XmlReader reader, StringBuilder output,
        Func<int, XmlReader, IReadOnlyDictionary<string, string?>?>? visit, Action<int, string, string>? text, CancellationToken cancellationToken)
    {
        var baseDepth = reader.Depth;
        var names = new Stack<string>();
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var depth = reader.Depth - baseDepth;
                    var name = reader.Name;
                    var replace = visit?.Invoke(depth, reader);
                    output.Append('<').Append(name);
                    if (reader.MoveToFirstAttribute())
                    {
                        do
                        {
                            if (reader.Prefix == "xmlns" || reader.Name == "xmlns" || (replace is not null && replace.ContainsKey(reader.Name)))
                            {
                                continue;
                            }

                            AppendAttribute(output, reader.Name, reader.Value);
                        }
                        while (reader.MoveToNextAttribute());

                        reader.MoveToElement();
                    }

                    if (replace is not null)
                    {
                        foreach (var (attribute, replacement) in replace)
                        {
                            if (replacement is not null)
                            {
                                AppendAttribute(output, attribute, replacement);
                            }
                        }
                    }

                    if (reader.IsEmptyElement)
                    {
                        output.Append("/>");
                        if (depth == 0)
                        {
                            await reader.ReadAsync().ConfigureAwait(false);
                            return;
                        }
                    }
                    else
                    {
                        output.Append('>');
                        names.Push(name);
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace:
                    var value = reader.Value;
                    text?.Invoke(reader.Depth - baseDepth - 1, names.Count > 0 ? LocalName(names.Peek()) : "", value);
                    Escape(output, value, attribute: false);
                    break;
                case XmlNodeType.EndElement:
                    output.Append("</").Append(names.Pop()).Append('>');
                    if (names.Count == 0)
                    {
                        await reader.ReadAsync().ConfigureAwait(false);
                        return;
                    }

                    break;
            }
        }
        while (await reader.ReadAsync().ConfigureAwait(false));

        throw new XmlException("the document ends inside an element");
    }

    private static string LocalName(string name) => name[(name.IndexOf(':', StringComparison.Ordinal) + 1)..];

    public static void AppendAttribute(StringBuilder output, string name, string value)
    {
        output.Append(' ').Append(name).Append("=\"");
        Escape(output, value, attribute: true);
        output.Append('"');
    }

    public static void Escape(StringBuilder output, string value, bool attribute)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '<': output.Append("&lt;"); break;
                case '>': output.Append("&gt;"); break;
                case '&': output.Append("&amp;"); break;
                case '"' when attribute: output.Append("&quot;"); break;
                case '\n' when attribute: output.Append("&#10;"); break;
                case '\r': output.Append("&#13;"); break;
                case '\t' when attribute: output.Append("&#9;"); break;
                default: output.Append(c); break;
            }
        }
    }
}
