namespace Packyard.Tests.Kubernetes;

public sealed record KubectlResult(int ExitCode, string Output, string Error);
