using System.Diagnostics;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// Runs the real kubectl through a kubeconfig: the envtest kubectl (v1.36.2) against a real API server
/// (<see cref="Envtest.KubernetesEnvironment"/>), or the kubectl on PATH against the older in-house <see cref="TestApiServer"/>.
/// </summary>
public sealed class Kubectl : IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private readonly TestApiServer? server;
    private readonly string program;
    private string? kubeconfig;

    public Kubectl(TestApiServer server)
    {
        this.server = server;
        program = "kubectl";
    }

    /// <summary>The envtest kubectl with <paramref name="kubeconfig"/> (see <see cref="Envtest.KubernetesEnvironment.WriteKubeconfig(string, string?)"/>).</summary>
    public Kubectl(string kubeconfig)
    {
        this.kubeconfig = kubeconfig;
        program = Envtest.KubernetesEnvironment.KubectlPath;
    }

    public string Kubeconfig => kubeconfig ??= server!.WriteKubeconfig(directory.Path);

    /// <summary>Runs kubectl; returns exit code, stdout and stderr.</summary>
    public async Task<KubectlResult> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
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
