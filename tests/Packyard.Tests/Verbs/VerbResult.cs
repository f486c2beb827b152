namespace Packyard.Tests.Verbs;

/// <summary>How a verb ended: its exit code, stdout and stderr.</summary>
public sealed record VerbResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
