namespace Packyard.Verbs;

/// <summary>A verb that cannot do what was asked; the message says why and what to do, the exit code is non-zero.</summary>
public sealed class VerbException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
