using System.CommandLine;
using Packyard.Api.Resources;

namespace Packyard.Commands;

/// <summary>The <c>--deletion-grace</c> flag of <c>packyard run</c> and <c>packyard operator</c>.</summary>
internal sealed class DeletionGraceFlag
{
    public Option<string> Option { get; } = new("--deletion-grace")
    {
        Description = "Keep a deleted Repository's versions, publications and artifacts this long; re-creating it (same namespace, name and type) restores them. 0s deletes at once (Go duration).",
        DefaultValueFactory = _ => "24h",
    };

    /// <summary>The grace period, or null with <paramref name="error"/> naming the flag.</summary>
    public TimeSpan? Read(ParseResult parse, out string? error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (!GoDuration.TryParse(parse.GetValue(Option), out var grace, out error) || grace < TimeSpan.Zero)
        {
            error = $"--deletion-grace: {error ?? "must not be negative"}";
            return null;
        }

        return grace;
    }
}
