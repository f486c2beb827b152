using System.CommandLine;
using Packyard.Api.Resources;

namespace Packyard.Commands;

/// <summary>The <c>--orphan-cleanup-interval</c> flag of <c>packyard run</c> and <c>packyard operator</c>.</summary>
internal sealed class OrphanCleanupIntervalFlag
{
    public Option<string> Option { get; } = new("--orphan-cleanup-interval")
    {
        Description = "Run orphan cleanup (a reclaim task: delete what no repository version or publication references, and repositories past --deletion-grace) at least this often; unreferenced content younger than this is kept (Go duration).",
        DefaultValueFactory = _ => "1h",
    };

    /// <summary>The interval, or null with <paramref name="error"/> naming the flag.</summary>
    public TimeSpan? Read(ParseResult parse, out string? error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (!GoDuration.TryParse(parse.GetValue(Option), out var interval, out error) || interval <= TimeSpan.Zero)
        {
            error = $"--orphan-cleanup-interval: {error ?? "must be positive"}";
            return null;
        }

        return interval;
    }
}
