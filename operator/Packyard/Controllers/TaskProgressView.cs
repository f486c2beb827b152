using System.Globalization;
using Packyard.Api.Resources;
using Packyard.Engine.Tasks;

namespace Packyard.Controllers;

/// <summary>A running task's recorded progress (tasks.progress) as status.progress shows it.</summary>
public static class TaskProgressView
{
    /// <summary>status.progress of running task <paramref name="task"/>; <paramref name="progress"/> null before its worker recorded any.</summary>
    public static RepositoryProgress Of(long task, string kind, TaskProgress? progress)
    {
        var phase = progress?.Phase ?? (kind == TaskKinds.Publish ? "Publishing" : "Running");
        return new RepositoryProgress
        {
            Task = task,
            Kind = kind,
            Phase = phase,
            Done = progress?.Done,
            Total = progress?.Total,
            Bytes = progress is { Bytes: > 0 } ? progress.Bytes : null,
            Updated = progress?.Updated,
            Summary = Summary(phase, progress?.Done, progress?.Total, progress?.Bytes ?? 0),
        };
    }

    /// <summary>"Downloading 312/1000 4.2MiB", "Reading metadata 5000", "Publishing".</summary>
    public static string Summary(string phase, long? done, long? total, long bytes)
    {
        var text = phase;
        if (done is { } d)
        {
            text += total is { } t ? string.Create(CultureInfo.InvariantCulture, $" {d}/{t}") : string.Create(CultureInfo.InvariantCulture, $" {d}");
        }

        if (bytes > 0)
        {
            text += " " + Bytes(bytes);
        }

        return text;
    }

    /// <summary>A byte count in the largest binary unit that keeps it at or above 1: 512B, 4.2KiB, 17.0MiB, 1.3GiB.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes}B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0}KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0}MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.0}GiB"),
    };
}
