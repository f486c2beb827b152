using System.Security.Cryptography;
using System.Text;

namespace Packyard.Tests.Infrastructure;

/// <summary>A PULP_MANIFEST upstream folder built by a test: files plus a manifest listing them.</summary>
public sealed class FileUpstream : IDisposable
{
    private readonly TemporaryDirectory folder = new();
    private readonly SortedDictionary<string, byte[]> files = new(StringComparer.Ordinal);

    public string Path => folder.Path;

    public Uri FileUrl => new(Path + "/");

    public IReadOnlyDictionary<string, byte[]> Files => files;

    public FileUpstream Put(string relativePath, string content) => Put(relativePath, Encoding.UTF8.GetBytes(content));

    public FileUpstream Put(string relativePath, byte[] content)
    {
        files[relativePath] = content;
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return this;
    }

    public FileUpstream Remove(string relativePath)
    {
        files.Remove(relativePath);
        File.Delete(System.IO.Path.Combine(Path, relativePath));
        return this;
    }

    /// <summary>Writes PULP_MANIFEST for the current files (or <paramref name="raw"/> verbatim).</summary>
    public FileUpstream WriteManifest(string? raw = null)
    {
        var text = raw ?? string.Concat(files.Select(f => $"{f.Key},{Sha256(f.Value)},{f.Value.Length}\n"));
        File.WriteAllText(System.IO.Path.Combine(Path, "PULP_MANIFEST"), text);
        return this;
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public void Dispose() => folder.Dispose();
}
