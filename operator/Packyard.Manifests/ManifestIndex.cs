using Packyard.Api.Resources;

namespace Packyard.Manifests;

/// <summary>The documents of a manifest set by (kind, namespace, name); the first definition wins.</summary>
internal sealed class ManifestIndex
{
    private readonly Dictionary<(string Kind, string Namespace, string Name), ManifestDocument> documents = [];

    public ManifestIndex(IEnumerable<ManifestDocument> all)
    {
        foreach (var document in all.Where(document => document.Kind.Length > 0 && document.Name.Length > 0))
        {
            documents.TryAdd((document.Kind, document.Namespace, document.Name), document);
        }
    }

    /// <summary>The first document with this identity (a later one is a duplicate).</summary>
    public ManifestDocument? Find(string kind, string ns, string name) => documents.GetValueOrDefault((kind, ns, name));

    /// <summary>The names of the <paramref name="kind"/> documents in namespace <paramref name="ns"/>.</summary>
    public IEnumerable<string> Names(string kind, string ns) =>
        documents.Keys.Where(key => key.Kind == kind && key.Namespace == ns).Select(key => key.Name);

    /// <summary>The content type of a Remote or Repository, when the document is valid.</summary>
    public static ContentType? TypeOf(ManifestDocument? document) => document?.Object switch
    {
        Remote remote => remote.Spec.Type,
        Repository repository => repository.Spec.Type,
        _ => null,
    };
}
