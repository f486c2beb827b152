using System.CommandLine;

namespace Packyard.Commands;

/// <summary>The options of the private PostgreSQL that <c>packyard run</c> and <c>packyard operator</c> share.</summary>
internal static class DatabaseOptions
{
    public static Option<bool> KeepDatabase() => new("--keep-database")
    {
        Description = "Leave the private PostgreSQL running when Packyard stops (default: it stops with Packyard).",
    };

    /// <summary>Hidden: durability off makes test suites and throwaway benchmarks faster; a crash can lose acknowledged uploads.</summary>
    public static Option<bool> UnsafeNoFsync() => new("--unsafe-no-fsync")
    {
        Description = "For tests only: run the private PostgreSQL without fsync, full_page_writes and synchronous_commit.",
        Hidden = true,
    };
}
