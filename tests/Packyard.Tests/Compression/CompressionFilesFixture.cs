using System.Text;
using Packyard.Plugins.Compression;

namespace Packyard.Tests.Compression;

/// <summary>
/// Sample files in a temporary folder, each compressed once per format by the command-line tool and cached:
/// a 1 MB Packages-like text, a 50 MB one (fastest presets: xz -0, others -1), and a 1 GiB run of zeros made of 16 concatenated 64 MiB streams.
/// </summary>
public sealed class CompressionFilesFixture : IDisposable
{
    public const long LargeSize = 50L * 1000 * 1000;

    private readonly Dictionary<string, Task<string>> files = [];
    private readonly Lock gate = new();

    public string Folder { get; } = Directory.CreateTempSubdirectory("packyard-compression-").FullName;

    public string SmallPath => Path.Combine(Folder, "small");

    public string LargePath => Path.Combine(Folder, "large");

    public CompressionFilesFixture()
    {
        File.WriteAllBytes(SmallPath, Text(1_000_000, seed: 1));
        using var large = File.Create(LargePath);
        for (var written = 0L; written < LargeSize; written += 1_000_000)
        {
            large.Write(Text(1_000_000, seed: (int)(written / 1_000_000) + 2));
        }
    }

    /// <summary>Deterministic text shaped like an APT Packages file: repetitive keys, varying values.</summary>
    public static byte[] Text(int size, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(size + 200);
        while (text.Length < size)
        {
            var n = random.Next(1_000_000);
            text.Append("Package: lib").Append(n).Append("-dev\nVersion: ").Append(random.Next(10)).Append('.').Append(random.Next(100))
                .Append("\nSHA256: ").Append(Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())))
                .Append(Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()))).Append("\n\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, size));
    }

    /// <summary>The small file compressed by the tool.</summary>
    public Task<string> SmallAsync(CompressionFormat format) =>
        Cached($"small-{format}", path => $"{CompressionTool.For(format).Tool} -c < small > {path}");

    /// <summary>The 50 MB file compressed by the tool at its fastest preset.</summary>
    public Task<string> LargeAsync(CompressionFormat format) =>
        Cached($"large-{format}", path => $"{CompressionTool.For(format).Tool} -{(format is CompressionFormat.Xz ? 0 : 1)} -c < large > {path}");

    /// <summary>1 GiB of zeros: 64 MiB compressed once, concatenated 16 times (xz -0 on a whole GiB takes half a minute).</summary>
    public Task<string> BombAsync(CompressionFormat format) =>
        Cached($"bomb-{format}", path =>
            $"head -c 64M /dev/zero | {CompressionTool.For(format).Tool} -1 -c > {path}.part; "
            + $"for i in $(seq 16); do cat {path}.part; done > {path}; rm {path}.part");

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private Task<string> Cached(string name, Func<string, string> command)
    {
        lock (gate)
        {
            if (!files.TryGetValue(name, out var file))
            {
                file = Make(name, command(name));
                files[name] = file;
            }

            return file;
        }
    }

    private async Task<string> Make(string name, string command)
    {
        await CompressionTool.RunAsync(command, Folder);
        return Path.Combine(Folder, name);
    }
}
