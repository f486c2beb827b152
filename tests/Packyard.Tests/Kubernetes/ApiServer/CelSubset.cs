using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// Evaluates the small part of CEL that CRD validation rules commonly use: <c>self</c>, <c>oldSelf</c>, field access,
/// <c>has()</c>, <c>!</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> on numbers,
/// <c>in</c>, <c>duration(s)</c>, string, number and list literals,
/// <c>.split(s)</c> and <c>[n]</c>. Returns null for anything else (the rule is then not evaluated).
/// </summary>
public static partial class CelSubset
{
    public static bool? Evaluate(string rule, JsonNode? self, JsonNode? oldSelf)
    {
        try
        {
            var parser = new Parser(Tokenize(rule), self, oldSelf);
            var value = parser.Or();
            return parser.AtEnd && value is bool result ? result : null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private static List<string> Tokenize(string rule)
    {
        var matches = TokenPattern().Matches(rule);
        if (matches.Sum(m => m.Length) != rule.Length)
        {
            throw new NotSupportedException();
        }

        return matches.Select(m => m.Value).Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
    }

    [GeneratedRegex(@"'(?:[^'\\]|\\.)*'|""(?:[^""\\]|\\.)*""|&&|\|\||==|!=|<=|>=|[<>]|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[!().\[\],]|\s+")]
    private static partial Regex TokenPattern();

    private sealed class Parser(List<string> tokens, JsonNode? self, JsonNode? oldSelf)
    {
        private static readonly (string Symbol, Func<double, double, bool> Holds)[] Orderings =
            [("<=", (a, b) => a <= b), (">=", (a, b) => a >= b), ("<", (a, b) => a < b), (">", (a, b) => a > b)];

        private int position;

        public bool AtEnd => position == tokens.Count;

        public object? Or()
        {
            var left = And();
            while (Accept("||"))
            {
                var right = And();
                left = AsBool(left) || AsBool(right);
            }

            return left;
        }

        private object? And()
        {
            var left = Unary();
            while (Accept("&&"))
            {
                var right = Unary();
                left = AsBool(left) && AsBool(right);
            }

            return left;
        }

        private object? Unary() => Accept("!") ? !AsBool(Unary()) : Comparison();

        private object? Comparison()
        {
            var left = Postfix();
            if (Accept("=="))
            {
                return Equal(left, Postfix());
            }

            if (Accept("!="))
            {
                return !Equal(left, Postfix());
            }

            foreach (var (symbol, holds) in Orderings)
            {
                if (Accept(symbol))
                {
                    return (left, Postfix()) is (double a, double b) ? holds(a, b) : throw new NotSupportedException();
                }
            }

            if (Accept("in"))
            {
                return Postfix() is List<object?> list ? list.Any(item => Equal(left, item)) : throw new NotSupportedException();
            }

            return left;
        }

        private object? Postfix()
        {
            var value = Primary();
            while (true)
            {
                if (Accept("."))
                {
                    var name = Next();
                    if (name == "split" && Accept("("))
                    {
                        var separator = Primary() as string ?? throw new NotSupportedException();
                        Expect(")");
                        value = (value as string ?? throw new NotSupportedException()).Split(separator).Cast<object?>().ToList();
                    }
                    else
                    {
                        value = value is JsonObject obj && obj.TryGetPropertyValue(name, out var child) ? Convert(child) : throw new NotSupportedException();
                    }
                }
                else if (Accept("["))
                {
                    var index = int.Parse(Next(), CultureInfo.InvariantCulture);
                    Expect("]");
                    value = value is List<object?> list && index < list.Count ? list[index] : throw new NotSupportedException();
                }
                else
                {
                    return value;
                }
            }
        }

        private object? Primary()
        {
            var token = Next();
            switch (token)
            {
                case "(":
                    var inner = Or();
                    Expect(")");
                    return inner;
                case "[":
                    var items = new List<object?>();
                    while (!Accept("]"))
                    {
                        items.Add(Or());
                        Accept(",");
                    }

                    return items;
                case "has":
                    Expect("(");
                    var root = Next();
                    var node = root == "self" ? self : root == "oldSelf" ? oldSelf : throw new NotSupportedException();
                    var found = true;
                    while (Accept("."))
                    {
                        var name = Next();
                        found = node is JsonObject obj && obj.TryGetPropertyValue(name, out node);
                    }

                    Expect(")");
                    return found;
                case "duration":
                    // A duration compares as its seconds: only ordering matters here.
                    Expect("(");
                    var text = Or() as string ?? throw new NotSupportedException();
                    Expect(")");
                    return Packyard.Api.Resources.GoDuration.TryParse(text, out var duration, out _) ? duration.TotalSeconds : throw new NotSupportedException();
                case "self":
                    return Convert(self);
                case "oldSelf":
                    return Convert(oldSelf);
                case "true":
                    return true;
                case "false":
                    return false;
            }

            if (token.Length >= 2 && token[0] is '\'' or '"')
            {
                return token[1..^1];
            }

            if (double.TryParse(token, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }

            throw new NotSupportedException();
        }

        private static object? Convert(JsonNode? node) => node switch
        {
            null => null,
            JsonObject => node,
            JsonArray array => array.Select(Convert).ToList(),
            _ => node.GetValueKind() switch
            {
                JsonValueKind.String => node.GetValue<string>(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture),
                _ => null,
            },
        };

        private static bool Equal(object? left, object? right) => (left, right) switch
        {
            (JsonObject a, JsonObject b) => JsonNode.DeepEquals(a, b),
            (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(pair => Equal(pair.First, pair.Second)),
            _ => Equals(left, right),
        };

        private static bool AsBool(object? value) => value as bool? ?? throw new NotSupportedException();

        private string Next() => position < tokens.Count ? tokens[position++] : throw new NotSupportedException();

        private bool Accept(string token)
        {
            if (position < tokens.Count && tokens[position] == token)
            {
                position++;
                return true;
            }

            return false;
        }

        private void Expect(string token)
        {
            if (!Accept(token))
            {
                throw new NotSupportedException();
            }
        }
    }
}
