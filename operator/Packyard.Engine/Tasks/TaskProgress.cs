namespace Packyard.Engine.Tasks;

/// <summary>
/// A running task's progress as stored in tasks.progress: the phase (<c>Reading metadata</c>, <c>Downloading</c>,
/// <c>Creating version</c>, <c>Publishing</c>, …), how many of how many items it has done in that phase when it counts them,
/// and the bytes downloaded so far.
/// </summary>
public sealed record TaskProgress(string Phase, long? Done, long? Total, long Bytes, DateTimeOffset Updated)
{
    /// <summary>The sync's progress report as stored: the download phase counts artifacts, reading metadata counts units.</summary>
    public static TaskProgress From(Sync.SyncProgress progress, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return progress.Phase switch
        {
            "Downloading" => new TaskProgress(progress.Phase, progress.Downloaded, progress.ToDownload, progress.DownloadedBytes, now),
            "Reading metadata" => new TaskProgress(progress.Phase, progress.Declared, null, progress.DownloadedBytes, now),
            _ => new TaskProgress(progress.Phase, null, null, progress.DownloadedBytes, now),
        };
    }
}
