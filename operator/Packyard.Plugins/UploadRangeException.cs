namespace Packyard.Plugins;

/// <summary>A chunk that does not start where the upload session stands (out of order, or sent twice).</summary>
public sealed class UploadRangeException(string message, long size) : Exception(message)
{
    /// <summary>The bytes the session has received: where the next chunk must start.</summary>
    public long Size { get; } = size;
}
