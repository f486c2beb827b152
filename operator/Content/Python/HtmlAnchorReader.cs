using System.Net;
using Packyard.Plugins;

namespace Packyard.Content.Python;

/// <summary>
/// A small strict reader for the anchors of a PEP 503 page: yields each <c>&lt;a …&gt;text&lt;/a&gt;</c> with its
/// attributes (names lower-cased, values HTML-decoded) and decoded text, skipping comments and every other tag.
/// Linear in the page size; malformed anchors fail with a message naming the page and offset.
/// </summary>
internal static class HtmlAnchorReader
{
    public static IEnumerable<(Dictionary<string, string> Attributes, string Text)> Read(string html, string pageName)
    {
        var i = 0;
        while (true)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0)
            {
                yield break;
            }

            if (string.CompareOrdinal(html, lt, "<!--", 0, 4) == 0)
            {
                var close = html.IndexOf("-->", lt + 4, StringComparison.Ordinal);
                if (close < 0)
                {
                    yield break;
                }

                i = close + 3;
                continue;
            }

            var isAnchor = lt + 2 < html.Length && (html[lt + 1] is 'a' or 'A') && (char.IsWhiteSpace(html[lt + 2]) || html[lt + 2] == '>');
            if (!isAnchor)
            {
                var gt = html.IndexOf('>', lt + 1);
                if (gt < 0)
                {
                    yield break;
                }

                i = gt + 1;
                continue;
            }

            var (attributes, end) = ReadAttributes(html, lt + 2, pageName);
            var closing = html.IndexOf("</a", end, StringComparison.OrdinalIgnoreCase);
            if (closing < 0)
            {
                throw Malformed(pageName, lt, "an <a> element is never closed");
            }

            var text = WebUtility.HtmlDecode(html[end..closing]).Trim();
            var closeEnd = html.IndexOf('>', closing);
            i = closeEnd < 0 ? html.Length : closeEnd + 1;
            yield return (attributes, text);
        }
    }

    private static (Dictionary<string, string> Attributes, int End) ReadAttributes(string html, int i, string pageName)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            while (i < html.Length && char.IsWhiteSpace(html[i]))
            {
                i++;
            }

            if (i >= html.Length)
            {
                throw Malformed(pageName, i, "the page ends inside an <a> tag");
            }

            if (html[i] == '>')
            {
                return (attributes, i + 1);
            }

            if (html[i] == '/' && i + 1 < html.Length && html[i + 1] == '>')
            {
                return (attributes, i + 2);
            }

            var nameStart = i;
            while (i < html.Length && !char.IsWhiteSpace(html[i]) && html[i] is not ('=' or '>' or '/'))
            {
                i++;
            }

            if (i == nameStart)
            {
                i++; // a stray '/'
                continue;
            }

            var name = html[nameStart..i].ToLowerInvariant();
            while (i < html.Length && char.IsWhiteSpace(html[i]))
            {
                i++;
            }

            var value = "";
            if (i < html.Length && html[i] == '=')
            {
                i++;
                while (i < html.Length && char.IsWhiteSpace(html[i]))
                {
                    i++;
                }

                if (i < html.Length && html[i] is '"' or '\'')
                {
                    var quote = html[i];
                    var close = html.IndexOf(quote, i + 1);
                    if (close < 0)
                    {
                        throw Malformed(pageName, i, $"attribute '{name}' has an unterminated value");
                    }

                    value = html[(i + 1)..close];
                    i = close + 1;
                }
                else
                {
                    var start = i;
                    while (i < html.Length && !char.IsWhiteSpace(html[i]) && html[i] != '>')
                    {
                        i++;
                    }

                    value = html[start..i];
                }
            }

            attributes.TryAdd(name, WebUtility.HtmlDecode(value));
        }
    }

    private static InvalidUpstreamMetadataException Malformed(string pageName, int offset, string problem) =>
        new($"{pageName}: malformed HTML at character {offset}: {problem}");
}
