using Packyard.Manifests;

namespace Packyard.Standalone;

/// <summary>
/// Reads the manifests folder for standalone mode. A file that cannot say which resources it declares (a YAML syntax
/// error, an empty or whitespace-only file such as a non-atomic save caught halfway, no YAML document at all, a document
/// without kind or name, a read error) does not parse: it stands for the documents of its last good read, each marked
/// with the file's error, so its resources stay (Stalled, still serving) instead of being deleted. Only a resource
/// absent from a file that parses, or whose file was deleted, is gone.
/// </summary>
public sealed class ManifestFolder(string directory)
{
    private readonly ManifestLoader loader = new();
    private Dictionary<string, IReadOnlyList<ManifestDocument>> lastGood = new(StringComparer.Ordinal);

    /// <summary>The documents of every file (last good ones for files that do not parse) and the errors of those files.</summary>
    /// <exception cref="IOException">The folder itself cannot be listed.</exception>
    public (IReadOnlyList<ManifestDocument> Documents, IReadOnlyList<ManifestError> Unparsed) Read()
    {
        var documents = new List<ManifestDocument>();
        var unparsed = new List<ManifestError>();
        var good = new Dictionary<string, IReadOnlyList<ManifestDocument>>(StringComparer.Ordinal);
        foreach (var file in ManifestLoader.FindFiles(directory))
        {
            var (loaded, error) = ReadFile(file);
            if (error is null)
            {
                good[file] = loaded;
                documents.AddRange(loaded);
                continue;
            }

            unparsed.Add(error);
            if (lastGood.TryGetValue(file, out var previous))
            {
                var kept = error with { Message = error.Message + "; the file's resources keep their last good manifest until it parses" };
                good[file] = previous;
                documents.AddRange(previous.Select(document => document with { Errors = [kept] }));
            }
            else
            {
                // Never read whole (e.g. broken since start): its identifiable documents run, and stand for it from now on.
                var identifiable = loaded.Where(Identifiable).ToList();
                good[file] = identifiable;
                documents.AddRange(identifiable);
            }
        }

        lastGood = good;
        return (documents, unparsed);
    }

    private (IReadOnlyList<ManifestDocument> Documents, ManifestError? Error) ReadFile(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ([], new ManifestError(file, 1, 1, "cannot read the file: " + e.Message));
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return ([], new ManifestError(file, 1, 1, "the file is empty (delete it to delete its resources)"));
        }

        var documents = loader.Load(file, text);
        if (documents.FirstOrDefault(d => !Identifiable(d)) is { } unidentified)
        {
            return (documents, unidentified.Errors[0]);
        }

        return documents.Count == 0 && !ManifestLoader.HasDocument(text)
            ? ([], new ManifestError(file, 1, 1, "the file holds no YAML document (delete it to delete its resources)"))
            : (documents, null);
    }

    /// <summary>The document says which resource it is: a kind and a name (a YAML error or a cut document says neither).</summary>
    private static bool Identifiable(ManifestDocument document) => document.Kind.Length > 0 && document.Name.Length > 0;
}
