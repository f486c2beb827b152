namespace Packyard.Engine.Downloads;

/// <summary>
/// One challenge of a <c>WWW-Authenticate</c> header (RFC 7235): its scheme and auth-params, e.g.
/// <c>Bearer realm="https://auth.example/token",service="registry.example",scope="repository:library/app:pull"</c>.
/// Parameter names are case-insensitive; quoted values may hold commas and escaped quotes.
/// </summary>
public sealed record AuthenticationChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>Longest header this parser reads; a longer one is treated as holding no challenge.</summary>
    public const int MaxHeaderLength = 8192;

    public string? Parameter(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>Every challenge in the header values (a header may hold several, and a response several headers).</summary>
    public static IReadOnlyList<AuthenticationChallenge> Parse(IEnumerable<string> headerValues)
    {
        var challenges = new List<AuthenticationChallenge>();
        foreach (var header in headerValues)
        {
            if (header.Length <= MaxHeaderLength)
            {
                ParseOne(header, challenges);
            }
        }

        return challenges;
    }

    private static void ParseOne(string header, List<AuthenticationChallenge> challenges)
    {
        string? scheme = null;
        Dictionary<string, string>? parameters = null;
        var position = 0;
        while (position < header.Length)
        {
            while (position < header.Length && (header[position] is ' ' or '\t' or ','))
            {
                position++;
            }

            var token = ReadToken(header, ref position);
            if (token.Length == 0)
            {
                position++; // not a token character: skip it rather than loop
                continue;
            }

            var afterToken = position;
            while (position < header.Length && header[position] is ' ' or '\t')
            {
                position++;
            }

            if (position < header.Length && header[position] == '=' && parameters is not null)
            {
                position++;
                while (position < header.Length && header[position] is ' ' or '\t')
                {
                    position++;
                }

                var value = position < header.Length && header[position] == '"' ? ReadQuoted(header, ref position) : ReadToken(header, ref position);
                parameters.TryAdd(token, value);
                continue;
            }

            if (scheme is not null)
            {
                challenges.Add(new AuthenticationChallenge(scheme, parameters!));
            }

            scheme = token;
            parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            position = afterToken;
        }

        if (scheme is not null)
        {
            challenges.Add(new AuthenticationChallenge(scheme, parameters!));
        }
    }

    private static string ReadToken(string header, ref int position)
    {
        var start = position;
        while (position < header.Length && IsTokenChar(header[position]))
        {
            position++;
        }

        return header[start..position];
    }

    private static string ReadQuoted(string header, ref int position)
    {
        var value = new System.Text.StringBuilder();
        position++; // opening quote
        while (position < header.Length && header[position] != '"')
        {
            if (header[position] == '\\' && position + 1 < header.Length)
            {
                position++;
            }

            value.Append(header[position]);
            position++;
        }

        position++; // closing quote (or past the end)
        return value.ToString();
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~' or '/' or ':';
}
