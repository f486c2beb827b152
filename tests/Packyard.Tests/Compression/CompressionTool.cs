using System.Diagnostics;

namespace Packyard.Tests.Compression;

/// <summary>The real command-line tools (Debian packages gzip, xz-utils, zstd, bzip2, lz4), run through <c>sh -c</c>.</summary>
internal static class CompressionTool
{
    public static async Task RunAsync(string command, string workingDirectory)
    {
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("/bin/sh")
            {
                ArgumentList = { "-c", "set -e; " + command },
                WorkingDirectory = workingDirectory,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.Start();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{command}` exited with {process.ExitCode}: {error}");
        }
    }

    /// <summary>The tool's name and the file suffix for a format.</summary>
    public static (string Tool, string Suffix) For(Packyard.Plugins.Compression.CompressionFormat format) => format switch
    {
        Packyard.Plugins.Compression.CompressionFormat.Gzip => ("gzip", ".gz"),
        Packyard.Plugins.Compression.CompressionFormat.Xz => ("xz -T1", ".xz"),
        Packyard.Plugins.Compression.CompressionFormat.Zstd => ("zstd -q", ".zst"),
        Packyard.Plugins.Compression.CompressionFormat.Bzip2 => ("bzip2", ".bz2"),
        Packyard.Plugins.Compression.CompressionFormat.Lz4 => ("lz4 -q", ".lz4"),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
