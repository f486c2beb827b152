using System.Diagnostics;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// Runs the real kubectl (the envtest one, v1.36.2) against a real API server (<see cref="Envtest.KubernetesEnvironment"/>)
/// through <paramref name="kubeconfig"/> (see <see cref="Envtest.KubernetesEnvironment.WriteKubeconfig(string, string?)"/>).
/// </summary>
public sealed class Kubectl(string kubeconfig) : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public string Kubeconfig => kubeconfig;

    /// <summary>Runs kubectl; returns exit code, stdout and stderr.</summary>
    public async Task<KubectlResult> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Envtest.KubernetesEnvironment.KubectlPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(Kubeconfig);
        start.Environment["KUBECACHEDIR"] = Path.Combine(directory.Path, "cache");
        start.Environment["HOME"] = directory.Path;
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new KubectlResult(process.ExitCode, await output, await error);
    }

    /// <summary>Runs kubectl and fails the test when it exits non-zero.</summary>
    public async Task<string> SucceedAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Error}\n{result.Output}");
        return result.Output;
    }

    public void Dispose() => directory.Dispose();
}
