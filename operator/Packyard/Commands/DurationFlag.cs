using System.CommandLine;
using Packyard.Api.Resources;

namespace Packyard.Commands;

/// <summary>A Go-duration flag shared by <c>packyard run</c> and <c>packyard operator</c>, read with an error naming the flag.</summary>
internal sealed class DurationFlag
{
    private readonly bool zeroAllowed;

    private DurationFlag(string name, string defaultValue, string description, bool zeroAllowed)
    {
        this.zeroAllowed = zeroAllowed;
        Option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
    }

    public Option<string> Option { get; }

    /// <summary><c>--deletion-grace</c>: how long a deleted Repository is kept; 0s deletes at once.</summary>
    public static DurationFlag DeletionGrace() => new("--deletion-grace", "24h",
        "Keep a deleted Repository's versions, publications and artifacts this long; re-creating it (same namespace, name and type) restores them. 0s deletes at once (Go duration).",
        zeroAllowed: true);

    /// <summary><c>--orphan-cleanup-interval</c>: how often a reclaim task runs at the least.</summary>
    public static DurationFlag OrphanCleanupInterval() => new("--orphan-cleanup-interval", "1h",
        "Run orphan cleanup (a reclaim task: delete what no repository version or publication references, and repositories past --deletion-grace) at least this often; unreferenced content younger than this is kept (Go duration).",
        zeroAllowed: false);

    /// <summary><c>--progress-interval</c>: how often a worker records a running task's progress (and its Repository's status shows it).</summary>
    public static DurationFlag ProgressInterval() => new("--progress-interval", "3s",
        "Record a running task's progress (status.progress of its Repository) at most this often; tasks shorter than this record none (Go duration).",
        zeroAllowed: false);

    /// <summary>The duration, or null with <paramref name="error"/> naming the flag.</summary>
    public TimeSpan? Read(ParseResult parse, out string? error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (!GoDuration.TryParse(parse.GetValue(Option), out var value, out error) || value < TimeSpan.Zero || (value == TimeSpan.Zero && !zeroAllowed))
        {
            error = $"{Option.Name}: {error ?? (zeroAllowed ? "must not be negative" : "must be positive")}";
            return null;
        }

        return value;
    }
}
