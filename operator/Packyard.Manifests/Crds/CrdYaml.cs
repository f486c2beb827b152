using System.Text.Json;
using YamlDotNet.Serialization;

namespace Packyard.Manifests.Crds;

/// <summary>YAML serialisation of the CRD model: camelCase keys, nulls omitted, block style, LF line ends.</summary>
internal static class CrdYaml
{
    public static string Serialize(object value) => BuildSerializer().Serialize(value);

    private static ISerializer BuildSerializer() => new SerializerBuilder()
        .WithNamingConvention(JsonCamelCase.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .WithQuotingNecessaryStrings()
        .WithIndentedSequences()
        .WithNewLine("\n")
        .DisableAliases()
        .Build();

    /// <summary>
    /// System.Text.Json's camelCase for CLR names; aliases that are already lower-case
    /// (<c>x-kubernetes-validations</c>) pass through unchanged, unlike YamlDotNet's own convention.
    /// </summary>
    private sealed class JsonCamelCase : INamingConvention
    {
        public static readonly JsonCamelCase Instance = new();

        public string Apply(string value) => value.Length > 0 && char.IsUpper(value[0]) ? JsonNamingPolicy.CamelCase.ConvertName(value) : value;

        public string Reverse(string value) => value;
    }
}
