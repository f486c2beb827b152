using System.Text;

namespace Packyard.Content.Rpm;

/// <summary>
/// A temporary file of XML entries (filelists or other) keyed by package id, so a sync can join them to primary.xml's
/// entries without holding any of the three files in memory. Deleted on dispose.
/// </summary>
internal sealed class FragmentSpool : IAsyncDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"packyard-rpm-{Guid.NewGuid():N}.spool");
    private readonly FileStream file;
    private readonly Dictionary<string, (long Offset, int Length)> index = new(StringComparer.Ordinal);

    public FragmentSpool()
    {
        file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 65536, FileOptions.DeleteOnClose);
    }

    public int Count => index.Count;

    /// <summary>Adds the entry of <paramref name="pkgid"/>; a repeated id keeps its first entry.</summary>
    public async Task AddAsync(string pkgid, string fragment, CancellationToken cancellationToken)
    {
        if (index.ContainsKey(pkgid))
        {
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(fragment);
        file.Seek(0, SeekOrigin.End);
        index[pkgid] = (file.Position, bytes.Length);
        await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> FindAsync(string pkgid, CancellationToken cancellationToken)
    {
        if (!index.TryGetValue(pkgid, out var entry))
        {
            return null;
        }

        var bytes = new byte[entry.Length];
        file.Seek(entry.Offset, SeekOrigin.Begin);
        await file.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(bytes);
    }

    public ValueTask DisposeAsync() => file.DisposeAsync();
}
