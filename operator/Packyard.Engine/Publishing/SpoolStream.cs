namespace Packyard.Engine.Publishing;

/// <summary>
/// A write-then-read buffer for published files: in memory up to <see cref="MemoryLimit"/>, then spilled to a temp file,
/// so thousands of small index pages cost no disk round trip and a large Packages file never sits in memory.
/// Writers may dispose it (a StreamWriter does): that only closes the temp file; <see cref="Discard"/> deletes it.
/// </summary>
internal sealed class SpoolStream : Stream
{
    public const int MemoryLimit = 4 * 1024 * 1024;
    private MemoryStream? memory = new();
    private FileStream? file;
    private string? path;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => memory?.Length ?? file!.Length;
    public override long Position { get => Length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Spill(buffer.Length);
        if (memory is not null)
        {
            memory.Write(buffer);
        }
        else
        {
            file!.Write(buffer);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Spill(buffer.Length);
        if (memory is not null)
        {
            memory.Write(buffer.Span);
        }
        else
        {
            await file!.WriteAsync(buffer, cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The written bytes from the start; the spool stays owned by this stream.</summary>
    public Stream OpenRead()
    {
        if (memory is not null)
        {
            return new MemoryStream(memory.GetBuffer(), 0, (int)memory.Length, writable: false);
        }

        file!.Flush();
        file.Dispose();
        return new FileStream(path!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
    }

    private void Spill(int incoming)
    {
        if (memory is null || memory.Length + incoming <= MemoryLimit)
        {
            return;
        }

        path = Path.Combine(Path.GetTempPath(), $"packyard-publish-{Guid.NewGuid():N}");
        file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 81920, FileOptions.Asynchronous);
        memory.Position = 0;
        memory.CopyTo(file);
        memory = null;
    }

    public override void Flush() => file?.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Deletes the temp file, if the spool spilled to one.</summary>
    public void Discard()
    {
        file?.Dispose();
        if (path is not null)
        {
            File.Delete(path);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file?.Dispose();
        }

        base.Dispose(disposing);
    }
}
