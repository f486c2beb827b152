using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Packyard.Api.Resources;
using Packyard.Api.Schema;
using Packyard.Manifests.Crds;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Packyard.Manifests;

/// <summary>
/// Reads Packyard resources and v1 Secrets from YAML manifests, keeping line numbers: every document is
/// validated against the schema the CRDs carry (plus the CEL rules, in C#), defaulted and converted to its
/// Packyard.Api type. Documents of other kinds (a Kustomization, a Namespace) are skipped.
/// </summary>
public sealed partial class ManifestLoader
{
    private readonly Dictionary<(string ApiVersion, string Kind), ManifestKind> kinds;
    private readonly string packyardKinds;

    public ManifestLoader()
    {
        var all = CrdGenerator.ResourceTypes
            .Select(type => new ManifestKind(
                PackyardGroup.ApiVersion,
                type.GetCustomAttribute<KubernetesResourceAttribute>()!.Kind,
                type,
                SchemaBuilder.ForManifest(type)))
            .ToList();
        packyardKinds = string.Join(", ", all.Select(kind => kind.Kind).Order(StringComparer.Ordinal));

        var secretSchema = SchemaBuilder.ForManifest(typeof(Secret));
        secretSchema.Properties!["immutable"] = new JsonSchemaProps { Type = "boolean" };
        all.Add(new ManifestKind("v1", "Secret", typeof(Secret), secretSchema));
        kinds = all.ToDictionary(kind => (kind.ApiVersion, kind.Kind));
    }

    /// <summary>
    /// Every <c>*.yaml</c> and <c>*.yml</c> file under <paramref name="path"/> (recursively, ordinal order, paths as
    /// <see cref="Directory.EnumerateFiles(string)"/> gives them (relative when <paramref name="path"/> is), skipping
    /// folders and files whose names start with a dot such as <c>.git</c> and <c>.github</c>); a file path yields itself.
    /// </summary>
    public static IReadOnlyList<string> FindFiles(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            return [path];
        }

        return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Where(file => Path.GetExtension(file) is ".yaml" or ".yml")
            .Where(file => !Path.GetRelativePath(path, file).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The documents of every manifest file under <paramref name="path"/> (see <see cref="FindFiles"/>), in file order.</summary>
    public IReadOnlyList<ManifestDocument> LoadDirectory(string path) => FindFiles(path).SelectMany(LoadFile).ToList();

    public IReadOnlyList<ManifestDocument> LoadFile(string path) => Load(path, File.ReadAllText(path));

    /// <summary>The documents of one YAML text; <paramref name="path"/> names it in errors.</summary>
    public IReadOnlyList<ManifestDocument> Load(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            var error = new ManifestError(path, (int)exception.Start.Line, (int)exception.Start.Column, "invalid YAML: " + YamlMessage(exception));
            return [InvalidDocument(path, error)];
        }

        var documents = new List<ManifestDocument>();
        foreach (var document in stream.Documents)
        {
            if (LoadDocument(path, document.RootNode) is { } loaded)
            {
                documents.Add(loaded);
            }
        }

        return documents;
    }

    /// <summary>True when <paramref name="text"/> is valid YAML with at least one non-empty document, of whatever kind.</summary>
    public static bool HasDocument(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException)
        {
            return false;
        }

        return stream.Documents.Any(document => !YamlScalars.IsNull(document.RootNode));
    }

    private ManifestDocument? LoadDocument(string path, YamlNode root)
    {
        if (YamlScalars.IsNull(root))
        {
            return null;
        }

        var start = new SourceLocation((int)root.Start.Line, (int)root.Start.Column);
        if (root is not YamlMappingNode mapping || ScalarField(mapping, "apiVersion") is not { } apiVersion || ScalarField(mapping, "kind") is not { } kind)
        {
            return InvalidDocument(path, new ManifestError(path, start.Line, start.Column,
                "not a Kubernetes object: a manifest document needs apiVersion and kind"));
        }

        if (!kinds.TryGetValue((apiVersion, kind), out var manifestKind))
        {
            var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
            if (group != PackyardGroup.Name)
            {
                return null;
            }

            var message = apiVersion != PackyardGroup.ApiVersion
                ? $"unsupported apiVersion {apiVersion}; use {PackyardGroup.ApiVersion}"
                : $"unknown kind {kind} in {PackyardGroup.ApiVersion}; expected one of {packyardKinds}";
            return InvalidDocument(path, new ManifestError(path, start.Line, start.Column, message)) with { ApiVersion = apiVersion, Kind = kind };
        }

        var converter = new SchemaConverter(path);
        var json = converter.Convert(root, manifestKind.Schema, "");
        var metadata = json?["metadata"];
        var name = metadata?["name"]?.GetValue<string>() ?? "";
        var ns = metadata?["namespace"]?.GetValue<string>() ?? "default";

        var document = new ManifestDocument(path, start.Line, apiVersion, kind, ns, name, null, converter.Errors)
        {
            Column = start.Column,
            Locations = converter.Locations,
        };
        if (json is null)
        {
            return document;
        }

        // A document with schema errors is still read from its valid fields (the converter left the invalid ones out), so that
        // this and every later check report in the same pass; only a document without errors becomes the Object that runs.
        object? resource;
        try
        {
            resource = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.GetTypeInfo(manifestKind.Type)!);
        }
        catch (JsonException exception)
        {
            return converter.Errors.Count > 0 ? document : document with { Errors = [new ManifestError(path, start.Line, start.Column, exception.Message)] };
        }

        if (resource is null)
        {
            return document;
        }

        var violations = CrossFieldRules.Check(resource).Select(violation => document.ErrorAt(violation.Path, violation.Message)).ToList();
        return converter.Errors.Count + violations.Count > 0
            ? document with { Errors = [.. converter.Errors, .. violations], Partial = resource }
            : document with { Object = resource };
    }

    private static string? ScalarField(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { Length: > 0 } text } ? text : null;

    private static ManifestDocument InvalidDocument(string path, ManifestError error) =>
        new(path, error.Line, "", "", "default", "", null, [error]) { Column = error.Column };

    /// <summary>YamlDotNet prefixes messages with "(Line: 1, Col: 1, Idx: 0) - (…): "; the error carries the location already.</summary>
    private static string YamlMessage(YamlException exception) => YamlLocationPrefix().Replace(exception.Message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlLocationPrefix();
}
