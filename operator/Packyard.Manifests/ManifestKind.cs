using Packyard.Manifests.Crds;

namespace Packyard.Manifests;

/// <summary>A kind the loader reads: its CLR type and the schema its documents are validated against.</summary>
internal sealed record ManifestKind(string ApiVersion, string Kind, Type Type, JsonSchemaProps Schema);
