using System.Text.Json;

namespace Packyard.Tests.Kubernetes.Envtest;

/// <summary>
/// The API server's JSON audit log (one line per completed request). Take a <see cref="Mark"/> before the part of a test you
/// look at, then read the requests made since; filter them by user or namespace, since other test classes share the server.
/// </summary>
public sealed class AuditLog(string path)
{
    public string Path { get; } = path;

    /// <summary>The current end of the log.</summary>
    public long Mark() => File.Exists(Path) ? new FileInfo(Path).Length : 0;

    /// <summary>Every request completed since <paramref name="mark"/> (0: since the start).</summary>
    public IReadOnlyList<AuditEvent> Since(long mark = 0)
    {
        var events = new List<AuditEvent>();
        if (!File.Exists(Path))
        {
            return events;
        }

        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(Math.Min(mark, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[^1] != '}')
            {
                continue; // a line still being written
            }

            using var document = JsonDocument.Parse(line);
            events.Add(AuditEvent.From(document.RootElement));
        }

        return events;
    }
}
