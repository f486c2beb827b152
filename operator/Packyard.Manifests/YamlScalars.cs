using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Packyard.Manifests;

/// <summary>
/// How a YAML scalar resolves, as <c>kubectl</c> (go-yaml v2) reads it before the API server sees JSON:
/// a quoted scalar is always a string; a plain one may be null, a boolean (true/false, yes/no, on/off),
/// an integer or a float.
/// </summary>
internal static partial class YamlScalars
{
    public static bool IsPlain(YamlScalarNode node) => node.Style is ScalarStyle.Plain or ScalarStyle.Any && !IsStringTagged(node);

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode scalar && IsPlain(scalar) && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public static bool? AsBoolean(YamlScalarNode node)
    {
        if (!IsPlain(node))
        {
            return null;
        }

        return node.Value switch
        {
            "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "y" or "Y" or "on" or "On" or "ON" => true,
            "false" or "False" or "FALSE" or "no" or "No" or "NO" or "n" or "N" or "off" or "Off" or "OFF" => false,
            _ => null,
        };
    }

    public static bool IsInteger(YamlScalarNode node) => IsPlain(node) && node.Value is { } value && IntegerPattern().IsMatch(value);

    public static bool IsFloat(YamlScalarNode node) =>
        IsPlain(node) && node.Value is { } value && (FloatPattern().IsMatch(value) || value is ".inf" or "-.inf" or "+.inf" or ".nan" or ".NaN");

    public static bool TryGetInteger(YamlScalarNode node, out long value)
    {
        value = 0;
        return IsInteger(node) && long.TryParse(node.Value!.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryGetNumber(YamlScalarNode node, out double value)
    {
        value = 0;
        return (IsInteger(node) || IsFloat(node))
            && double.TryParse(node.Value!.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>How a node reads in a message: <c>integer 123</c>, <c>string "7"</c>, <c>a list</c>.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "an object",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar when IsNull(scalar) => "null",
        YamlScalarNode scalar when AsBoolean(scalar) is { } boolean => $"boolean {(boolean ? "true" : "false")} ({scalar.Value})",
        YamlScalarNode scalar when IsInteger(scalar) => $"integer {scalar.Value}",
        YamlScalarNode scalar when IsFloat(scalar) => $"number {scalar.Value}",
        YamlScalarNode scalar => $"string \"{scalar.Value}\"",
        _ => "an unsupported node",
    };

    private static bool IsStringTagged(YamlScalarNode node) => !node.Tag.IsEmpty && node.Tag.Value is "tag:yaml.org,2002:str" or "!!str";

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
