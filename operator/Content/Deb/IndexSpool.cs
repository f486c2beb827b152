using Packyard.Engine.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Packyard.Content.Deb;

/// <summary>What one published distribution holds.</summary>
internal sealed class DistributionLayout
{
    public HashSet<string> Components { get; } = new(StringComparer.Ordinal);

    /// <summary>Concrete architectures (not <c>all</c>).</summary>
    public HashSet<string> Architectures { get; } = new(StringComparer.Ordinal);
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
        if (architecture != "all")
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

    /// <summary>The Packages file of one architecture: its own stanzas followed by those of architecture <c>all</c>.</summary>
    public string Concatenate(string distribution, string component, string architecture)
    {
        var target = Path.Combine(root, $"{files++}.Packages");
        using var output = File.Create(target);
        foreach (var source in architecture == "all" ? ["all"] : new[] { architecture, "all" })
        {
            if (paths.TryGetValue(Key(distribution, component, source), out var path))
            {
                using var input = File.OpenRead(path);
                input.CopyTo(output);
            }
        }

        return target;
    }

    /// <summary>Compresses <paramref name="plain"/> into a file beside it named with <paramref name="suffix"/>.</summary>
    public static async Task<string> CompressAsync(string plain, CompressionFormat format, string suffix, CancellationToken cancellationToken)
    {
        var target = plain + suffix;
        await using var input = File.OpenRead(plain);
        await using var output = File.Create(target);
        await using (var compressing = Compression.Create(output, format, leaveOpen: true))
        {
            await input.CopyToAsync(compressing, cancellationToken);
        }

        return target;
    }

    public static (string Md5, string Sha256, long Size) Hash(string file)
    {
        using var input = File.OpenRead(file);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            md5.AppendData(buffer, 0, read);
            sha256.AppendData(buffer, 0, read);
        }

        return (Convert.ToHexStringLower(md5.GetHashAndReset()), Convert.ToHexStringLower(sha256.GetHashAndReset()), input.Length);
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
