using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Packyard.Tests.Python;

/// <summary>
/// Writes real, installable distributions with the standard zip/tar writers: a pure wheel (module, dist-info with
/// METADATA, WHEEL and a RECORD of hashes, as PEP 427 requires) or an sdist (PKG-INFO). Options make hostile ones.
/// </summary>
public static class PythonPackage
{
    /// <summary>Writes <c>name-version-py3-none-{platform}.whl</c> into <paramref name="folder"/> and returns its path.</summary>
    public static string Wheel(string folder, string name, string version, IEnumerable<string>? requires = null, string platform = "any",
        string? requiresPython = null, string? metadataName = null, bool withMetadata = true)
    {
        var distribution = name.Replace('-', '_').Replace('.', '_');
        var path = Path.Combine(folder, $"{distribution}-{version}-py3-none-{platform}.whl");
        var module = distribution.ToLowerInvariant();
        var distInfo = $"{distribution}-{version}.dist-info";
        var files = new List<(string Name, byte[] Content)>
        {
            ($"{module}/__init__.py", Encoding.UTF8.GetBytes($"VERSION = \"{version}\"\n")),
            ($"{distInfo}/WHEEL", Encoding.UTF8.GetBytes($"Wheel-Version: 1.0\nGenerator: packyard-tests\nRoot-Is-Purelib: true\nTag: py3-none-{platform}\n")),
        };
        if (withMetadata)
        {
            files.Add(($"{distInfo}/METADATA", Encoding.UTF8.GetBytes(Metadata(metadataName ?? name, version, requires, requiresPython))));
        }

        var record = new StringBuilder();
        foreach (var (fileName, content) in files)
        {
            var hash = Convert.ToBase64String(SHA256.HashData(content)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            record.Append(fileName).Append(",sha256=").Append(hash).Append(',').Append(content.Length).Append('\n');
        }

        record.Append(distInfo).Append("/RECORD,,\n");
        files.Add(($"{distInfo}/RECORD", Encoding.UTF8.GetBytes(record.ToString())));
        Directory.CreateDirectory(folder);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (fileName, content) in files)
            {
                using var entry = zip.CreateEntry(fileName).Open();
                entry.Write(content);
            }
        }

        return path;
    }

    /// <summary>Writes <c>name-version.tar.gz</c> with a top-level PKG-INFO and returns its path.</summary>
    public static string Sdist(string folder, string name, string version, string? metadataName = null, bool withMetadata = true)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}-{version}.tar.gz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip);
        var top = $"{name}-{version}";
        var entries = new List<(string, string)> { ($"{top}/setup.py", "from setuptools import setup\nsetup()\n") };
        if (withMetadata)
        {
            entries.Insert(0, ($"{top}/PKG-INFO", Metadata(metadataName ?? name, version, null, null)));
        }

        foreach (var (entryName, text) in entries)
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entryName) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        }

        return path;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Metadata(string name, string version, IEnumerable<string>? requires, string? requiresPython)
    {
        var text = new StringBuilder($"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {name} for Packyard tests\n");
        if (requiresPython is not null)
        {
            text.Append("Requires-Python: ").Append(requiresPython).Append('\n');
        }

        foreach (var requirement in requires ?? [])
        {
            text.Append("Requires-Dist: ").Append(requirement).Append('\n');
        }

        return text.Append('\n').ToString();
    }
}
