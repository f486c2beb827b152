using System.Text;

namespace Packyard.Content.Deb;

/// <summary>What one published distribution holds.</summary>
internal sealed class DistributionLayout
{
    public HashSet<string> Components { get; } = new(StringComparer.Ordinal);

    /// <summary>Concrete architectures (not <c>all</c>).</summary>
    public HashSet<string> Architectures { get; } = new(StringComparer.Ordinal);

    /// <summary>Components that hold source packages.</summary>
    public HashSet<string> SourceComponents { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Temporary files holding the Packages stanzas of each distribution, component and architecture while a version is
/// read, so a publication of any size needs constant memory. Deleted on dispose.
/// </summary>
internal sealed class IndexSpool : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("packyard-deb-publish-").FullName;
    private readonly Dictionary<string, StreamWriter> writers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> paths = new(StringComparer.Ordinal);
    private int files;

    public Dictionary<string, DistributionLayout> Distributions { get; } = new(StringComparer.Ordinal);

    public void Touch(string distribution, string component)
    {
        if (!Distributions.TryGetValue(distribution, out var layout))
        {
            Distributions[distribution] = layout = new DistributionLayout();
        }

        layout.Components.Add(component);
    }

    public async Task AppendAsync(string distribution, string component, string architecture, string stanza, CancellationToken cancellationToken)
    {
        Touch(distribution, component);
        if (architecture == DebSourcePackage.Architecture)
        {
            Distributions[distribution].SourceComponents.Add(component);
        }
        else if (architecture != "all")
        {
            Distributions[distribution].Architectures.Add(architecture);
        }

        var key = Key(distribution, component, architecture);
        if (!writers.TryGetValue(key, out var writer))
        {
            writers[key] = writer = new StreamWriter(Path.Combine(root, $"{files++}.part"), false, new UTF8Encoding(false), 65536);
        }

        await writer.WriteAsync(stanza.AsMemory(), cancellationToken);
    }

    /// <summary>Closes the writers: call once every stanza is appended.</summary>
    public void Complete()
    {
        foreach (var (key, writer) in writers)
        {
            paths[key] = ((FileStream)writer.BaseStream).Name;
            writer.Dispose();
        }

        writers.Clear();
    }

    /// <summary>
    /// The spooled parts of one index, in order: the architecture's own stanzas, then those of architecture <c>all</c> (a
    /// Sources index, <see cref="DebSourcePackage.Architecture"/>, has only its own).
    /// </summary>
    public IReadOnlyList<string> Parts(string distribution, string component, string architecture) =>
        [.. (architecture is "all" or DebSourcePackage.Architecture ? [architecture] : new[] { architecture, "all" })
            .Select(source => paths.GetValueOrDefault(Key(distribution, component, source)))
            .OfType<string>()];

    /// <summary>Copies <paramref name="parts"/> one after the other into <paramref name="output"/>.</summary>
    public static async Task CopyPartsAsync(IReadOnlyList<string> parts, Stream output, CancellationToken cancellationToken)
    {
        foreach (var part in parts)
        {
            await using var input = new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await input.CopyToAsync(output, 1 << 16, cancellationToken);
        }
    }

    private static string Key(string distribution, string component, string architecture) => $"{distribution}\n{component}\n{architecture}";

    public void Dispose()
    {
        foreach (var writer in writers.Values)
        {
            writer.Dispose();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
