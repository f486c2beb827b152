using System.CommandLine;
using Packyard.Api.Resources;
using Packyard.Controllers;

namespace Packyard.Commands;

/// <summary>The flags of <c>packyard run</c> and <c>packyard operator</c> that say how failed syncs are retried.</summary>
internal sealed class SyncRetryFlags
{
    private readonly Option<string> initial = new("--sync-retry-initial")
    {
        Description = "Wait before retrying a failed sync; doubles with every failure in a row (Go duration).", DefaultValueFactory = _ => "10s",
    };

    private readonly Option<string> max = new("--sync-retry-max") { Description = "Longest wait between retries of a failed sync (Go duration).", DefaultValueFactory = _ => "10m" };

    private readonly Option<int> attempts = new("--task-max-attempts")
    {
        Description = "A sync that ends without a result (it threw, or the process running it died) this many times in a row stays failed until the Remote, its Secrets, the spec or packyard.io/requested-at change.",
        DefaultValueFactory = _ => 5,
    };

    public IEnumerable<Option> Options => [initial, max, attempts];

    /// <summary>The options, or null with <paramref name="error"/> naming the flag.</summary>
    public SyncRetryOptions? Read(ParseResult parse, out string? error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (!GoDuration.TryParse(parse.GetValue(initial), out var first, out error) || first <= TimeSpan.Zero)
        {
            error = $"--sync-retry-initial: {error ?? "must be positive"}";
            return null;
        }

        if (!GoDuration.TryParse(parse.GetValue(max), out var longest, out error) || longest < first)
        {
            error = $"--sync-retry-max: {error ?? "must be at least --sync-retry-initial"}";
            return null;
        }

        if (parse.GetValue(attempts) < 1)
        {
            error = "--task-max-attempts: must be at least 1";
            return null;
        }

        return new SyncRetryOptions { InitialBackoff = first, MaxBackoff = longest, MaxAttempts = parse.GetValue(attempts) };
    }
}
